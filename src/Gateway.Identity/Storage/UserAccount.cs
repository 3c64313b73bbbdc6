namespace Gateway.Identity.Storage;

/// <summary>A local account (a person who logs in at the login page or with username and passcode over DIMSE).</summary>
/// <remarks>The password is stored only as an Argon2id PHC string; roles are policy role names.</remarks>
public sealed class UserAccount
{
    /// <summary>The user id: the token's subject and the policy's <c>users:</c> id (lower case).</summary>
    public required string Id { get; set; }

    /// <summary>The Argon2id hash with its parameters.</summary>
    public required string PasswordHash { get; set; }

    /// <summary>Policy role names, space-separated.</summary>
    public string Roles { get; set; } = string.Empty;

    /// <summary>A disabled account cannot log in and gets no tokens.</summary>
    public bool Disabled { get; set; }

    /// <summary>Failed password checks since the last success.</summary>
    public int FailedAttempts { get; set; }

    /// <summary>Until when the account is locked after too many failures (UTC), or null.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>When the account was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the password was last set (UTC).</summary>
    public DateTimeOffset PasswordChangedAt { get; set; }

    /// <summary>The last successful login (UTC), or null.</summary>
    public DateTimeOffset? LastLoginAt { get; set; }
}
