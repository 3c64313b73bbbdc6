namespace Gateway.Archive.Index;

/// <summary>An instance in the index (no object access: open it with <see cref="ArchiveStore.OpenInstanceAsync"/>).</summary>
public sealed record ArchivedInstanceInfo
{
    /// <summary>The index row.</summary>
    public required long Id { get; init; }

    /// <summary>SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>SOP Class UID.</summary>
    public required string SopClassUid { get; init; }

    /// <summary>Series Instance UID.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Transfer syntax UID of the stored data set.</summary>
    public required string TransferSyntaxUid { get; init; }

    /// <summary>Instance Number.</summary>
    public int? InstanceNumber { get; init; }

    /// <summary>Acquisition Date (YYYYMMDD), from Acquisition DateTime, Acquisition Date, or Content Date.</summary>
    public string? AcquisitionDate { get; init; }

    /// <summary>Acquisition Time (HHMMSS.FFFFFF), likewise.</summary>
    public string? AcquisitionTime { get; init; }

    /// <summary>Rows.</summary>
    public int? Rows { get; init; }

    /// <summary>Columns.</summary>
    public int? Columns { get; init; }

    /// <summary>Number of Frames.</summary>
    public int? NumberOfFrames { get; init; }

    /// <summary>The data set's length in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>When it was archived.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Who sent it.</summary>
    public required string CallingAE { get; init; }

    /// <summary>True for a conflict copy.</summary>
    public required bool IsConflict { get; init; }

    /// <summary>True when retention removed its object (the row is history).</summary>
    public required bool IsPurged { get; init; }
}
