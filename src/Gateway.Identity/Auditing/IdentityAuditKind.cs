namespace Gateway.Identity.Auditing;

/// <summary>What happened (all are PS3.15 User Authentication events).</summary>
public enum IdentityAuditKind
{
    /// <summary>A login (login page, DIMSE username+passcode or JWT, or a client obtaining a token): type code Login (110122).</summary>
    Login,

    /// <summary>A logout at the end-session endpoint: type code Logout (110123).</summary>
    Logout,
}
