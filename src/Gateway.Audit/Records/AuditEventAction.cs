namespace Gateway.Audit.Records;

/// <summary>EventActionCode of PS3.15 A.5.1 (RFC 3881): the kind of action the event performed.</summary>
/// <remarks>The numeric value is the ASCII code of the letter used in the XML schema.</remarks>
public enum AuditEventAction
{
    /// <summary>C: create.</summary>
    Create = 'C',

    /// <summary>R: read, view, print or query.</summary>
    Read = 'R',

    /// <summary>U: update.</summary>
    Update = 'U',

    /// <summary>D: delete.</summary>
    Delete = 'D',

    /// <summary>E: execute (for example start an application or run a query).</summary>
    Execute = 'E',
}
