namespace Gateway.Identity.Auditing;

/// <summary>How the subject authenticated.</summary>
public enum IdentityMethod
{
    /// <summary>User name and password at the login page.</summary>
    LoginPage,

    /// <summary>A client with its secret at the token endpoint (client credentials).</summary>
    ClientCredentials,

    /// <summary>A user's token obtained through an authorization code (after a login page login).</summary>
    AuthorizationCode,

    /// <summary>A JWT in a DIMSE A-ASSOCIATE-RQ.</summary>
    DimseJwt,

    /// <summary>User name and passcode in a DIMSE A-ASSOCIATE-RQ.</summary>
    DimsePasscode,

    /// <summary>Another DIMSE user identity type (refused).</summary>
    DimseOther,

    /// <summary>A logout at the end-session endpoint.</summary>
    EndSession,
}
