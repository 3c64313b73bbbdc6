namespace Gateway.Host.Audit;

/// <summary>Where audit forwarding stands.</summary>
public enum AuditSyslogState
{
    /// <summary>Nothing was sent yet since the gateway started (the log was caught up, or the first batch is on its way).</summary>
    Starting,

    /// <summary>The last batch sent was confirmed.</summary>
    Delivering,

    /// <summary>The last attempt failed: the repository is unreachable or refused; records wait in the local log.</summary>
    Unreachable,
}
