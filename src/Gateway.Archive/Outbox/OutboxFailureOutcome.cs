namespace Gateway.Archive.Outbox;

/// <summary>What a reported failure did to an outbox item.</summary>
public enum OutboxFailureOutcome
{
    /// <summary>Back to pending, due at the given next attempt time.</summary>
    Retrying,

    /// <summary>Moved to the dead-letter state.</summary>
    DeadLettered,

    /// <summary>The lease was no longer held (expired and taken again, or already completed): nothing changed.</summary>
    LeaseLost,
}
