namespace Gateway.DicomWeb.Stow;

/// <summary>What became of one instance (one part) of a STOW-RS request.</summary>
public sealed record StowInstanceResult
{
    /// <summary>The SOP Class UID, or null when the part could not be read far enough to know it.</summary>
    public string? SopClassUid { get; init; }

    /// <summary>The SOP Instance UID, or null when the part could not be read far enough to know it.</summary>
    public string? SopInstanceUid { get; init; }

    /// <summary>Where the stored instance can be retrieved (WADO-RS), or null.</summary>
    public string? RetrieveUrl { get; init; }

    /// <summary>Why the instance was not stored, or null when it was.</summary>
    public StowFailureReason? FailureReason { get; init; }

    /// <summary>The warning for an instance stored with one, or null.</summary>
    public StowWarningReason? WarningReason { get; init; }

    /// <summary>True when the instance was stored (with or without a warning).</summary>
    public bool IsStored => FailureReason is null;

    /// <summary>An instance stored, optionally with a warning.</summary>
    public static StowInstanceResult Stored(string sopClassUid, string sopInstanceUid, string? retrieveUrl = null, StowWarningReason? warning = null) =>
        new() { SopClassUid = sopClassUid, SopInstanceUid = sopInstanceUid, RetrieveUrl = retrieveUrl, WarningReason = warning };

    /// <summary>An instance not stored, for <paramref name="reason"/>; UIDs null when unknown.</summary>
    public static StowInstanceResult Failed(string? sopClassUid, string? sopInstanceUid, StowFailureReason reason) =>
        new() { SopClassUid = sopClassUid, SopInstanceUid = sopInstanceUid, FailureReason = reason };
}
