namespace Gateway.Archive.Rebuild;

/// <summary>How <see cref="ArchiveAdmin.RebuildIndexAsync"/> rebuilds the index.</summary>
public sealed record IndexRebuildOptions
{
    /// <summary>Replace an existing index (default false: an existing <c>archive/index.db</c> is refused).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Destinations (AE titles or destination names) every rebuilt instance is queued for, as a store would; conflict
    /// copies never are. Default none: what was delivered before the index was lost is unknown, so nothing is sent again
    /// unless an operator asks.
    /// </summary>
    public IReadOnlyList<string> RequeueDestinations { get; init; } = [];

    /// <summary>
    /// Called with the report once the new index is complete and durable under its temporary name, before it replaces
    /// anything (for example to write the audit record first, fail-closed). If it throws, the new index is deleted and
    /// the exception propagates.
    /// </summary>
    public Func<IndexRebuildReport, CancellationToken, Task>? BeforePublish { get; init; }
}
