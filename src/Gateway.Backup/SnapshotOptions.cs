namespace Gateway.Backup;

/// <summary>What to snapshot and for how long to keep it.</summary>
public sealed record SnapshotOptions
{
    /// <summary>The default retention: 30 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>The gateway's data directory.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The policy directory in force (its files go to <c>policy/</c> in the snapshot); none when null.</summary>
    public string? PolicyDirectory { get; init; }

    /// <summary>How long the snapshot is kept at least; at least one day.</summary>
    public TimeSpan Retention { get; init; } = DefaultRetention;

    /// <summary>Who takes the snapshot, as the audit record's source and requestor (for example <c>gatewayctl@host</c>).</summary>
    public required string SourceId { get; init; }

    /// <summary>The person who asked for the snapshot (the audit record's requestor); none for a scheduled or command-line snapshot.</summary>
    public string? RequestedBy { get; init; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(DataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(SourceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(Retention, TimeSpan.FromDays(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Retention, TimeSpan.FromDays(36500));
    }
}
