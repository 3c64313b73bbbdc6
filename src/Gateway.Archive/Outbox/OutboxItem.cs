namespace Gateway.Archive.Outbox;

/// <summary>One outbox item as listed for operators.</summary>
public sealed record OutboxItem
{
    /// <summary>The item's id (what <c>gatewayctl queue retry --id</c> takes).</summary>
    public required long Id { get; init; }

    /// <summary>The destination.</summary>
    public required string Destination { get; init; }

    /// <summary>The state.</summary>
    public required OutboxState State { get; init; }

    /// <summary>Failed attempts so far (delivered items count their successful attempt too).</summary>
    public required int Attempts { get; init; }

    /// <summary>The SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>When it was queued.</summary>
    public required DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>When it is due (pending), or when its lease ends (leased).</summary>
    public required DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>When it was delivered.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>When it was dead-lettered.</summary>
    public DateTimeOffset? DeadLetteredAt { get; init; }

    /// <summary>The last failure as the forwarder reported it (decrypted), or null when none or when the keys are not available.</summary>
    public string? LastError { get; init; }

    /// <summary>True when a last error is recorded (even if it could not be decrypted).</summary>
    public bool HasError { get; init; }
}
