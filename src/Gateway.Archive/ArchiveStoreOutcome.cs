namespace Gateway.Archive;

/// <summary>What the archive did with an instance.</summary>
public enum ArchiveStoreOutcome
{
    /// <summary>A new instance: stored, indexed and queued.</summary>
    Stored,

    /// <summary>
    /// The same SOP Instance UID with the same bytes was already archived: nothing new was stored; destinations that had no
    /// outbox item for it got one (a destination that already had it, delivered or not, is not queued again).
    /// </summary>
    Duplicate,

    /// <summary>
    /// The same SOP Instance UID with different bytes: the first instance stays the one indexed and forwarded; this one is
    /// kept encrypted as a flagged conflict for an operator, and not forwarded.
    /// </summary>
    Conflict,
}
