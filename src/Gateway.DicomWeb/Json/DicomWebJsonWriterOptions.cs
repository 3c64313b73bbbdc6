namespace Gateway.DicomWeb.Json;

/// <summary>How <see cref="DicomWebJsonWriter"/> renders bulk data, and how often it hands bytes to the output.</summary>
public sealed record DicomWebJsonWriterOptions
{
    /// <summary>Everything inline: no BulkDataURI, as dcm2json writes.</summary>
    public static DicomWebJsonWriterOptions Default { get; } = new();

    /// <summary>
    /// Gives the URI of a bulk data value (PS3.18 F.2.6), or null to write it inline. Called for OB, OD, OF, OL, OV, OW,
    /// UN and encapsulated pixel data longer than <see cref="InlineBinaryThreshold"/>. Null (the default): always inline.
    /// </summary>
    public Func<DicomBulkDataReference, string?>? BulkDataUri { get; init; }

    /// <summary>Bulk values of at most this many bytes are always "InlineBinary". Default 0: every non-empty one is offered to <see cref="BulkDataUri"/>.</summary>
    public long InlineBinaryThreshold { get; init; }

    /// <summary>
    /// Largest bulk value written inline (base64 in memory); a larger one without a URI is refused with
    /// <see cref="DicomJsonException"/>. Default 64 MiB.
    /// </summary>
    public long MaxInlineBinaryLength { get; init; } = 64L * 1024 * 1024;

    /// <summary>The asynchronous writers flush the JSON writer to its output whenever this many bytes are pending. Default 32 KiB.</summary>
    public int FlushThreshold { get; init; } = 32 * 1024;
}
