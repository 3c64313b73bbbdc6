namespace Gateway.Identity.Accounts;

/// <summary>What <c>identity user list</c> shows of an account (never the hash).</summary>
/// <param name="Id">The user id.</param>
/// <param name="Roles">Its policy roles.</param>
/// <param name="Disabled">Whether it is disabled.</param>
/// <param name="LockedUntil">Until when it is locked, if it is.</param>
/// <param name="FailedAttempts">Failed checks since the last success.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="PasswordChangedAt">When its password was last set.</param>
/// <param name="LastLoginAt">Its last successful login.</param>
public sealed record UserAccountInfo(
    string Id,
    IReadOnlyList<string> Roles,
    bool Disabled,
    DateTimeOffset? LockedUntil,
    int FailedAttempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset PasswordChangedAt,
    DateTimeOffset? LastLoginAt);
