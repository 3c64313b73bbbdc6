namespace Gateway.Dicom.Network.Services;

/// <summary>Configuration of a <see cref="DirectoryQueryRetrieveService"/>.</summary>
public sealed record DirectoryQueryRetrieveOptions
{
    /// <summary>The directory of Part 10 files served (searched recursively; hidden files and links are skipped).</summary>
    public required string Directory { get; init; }

    /// <summary>Our AE title: sent as Retrieve AE Title (0008,0054) in C-FIND responses and as calling AE title of C-MOVE associations.</summary>
    public required string AETitle { get; init; }

    /// <summary>
    /// The C-MOVE destinations by AE title, with how to reach each (host, port, TLS, timeouts). A C-MOVE to any other
    /// AE title is refused with Move Destination Unknown (A801), as dcmqrscp refuses AEs missing from its HostTable.
    /// </summary>
    public IReadOnlyDictionary<string, DicomClientOptions> MoveDestinations { get; init; } = new Dictionary<string, DicomClientOptions>();

    /// <summary>Most instances indexed; files beyond it are not served (and logged). Default 1,000,000.</summary>
    public int MaxInstances { get; init; } = 1_000_000;

    /// <summary>
    /// Most matches of one C-FIND, or instances of one C-MOVE or C-GET; a request matching more is refused with Out of
    /// Resources (A700). Default 65,535, the most sub-operations a C-MOVE response can count.
    /// </summary>
    public int MaxMatches { get; init; } = ushort.MaxValue;
}
