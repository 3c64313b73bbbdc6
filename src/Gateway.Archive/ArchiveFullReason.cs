namespace Gateway.Archive;

/// <summary>Why the archive refused a new instance.</summary>
public enum ArchiveFullReason
{
    /// <summary>The archive volume has less free space than <see cref="ArchiveOptions.MinimumFreeBytes"/>, or ran out while writing.</summary>
    DiskSpace,

    /// <summary>The outbox holds <see cref="ArchiveOptions.MaxOutboxDepth"/> undelivered items or more.</summary>
    OutboxDepth,
}
