namespace Gateway.Audit.Records;

/// <summary>EventOutcomeIndicator of PS3.15 A.5.1 (RFC 3881).</summary>
public enum AuditEventOutcome
{
    /// <summary>0: nominal success.</summary>
    Success = 0,

    /// <summary>4: minor failure (for example a request refused by policy).</summary>
    MinorFailure = 4,

    /// <summary>8: serious failure.</summary>
    SeriousFailure = 8,

    /// <summary>12: major failure (the reporting application is now unavailable).</summary>
    MajorFailure = 12,
}
