namespace Gateway.Identity.Accounts;

/// <summary>The result of <see cref="UserAccounts.CheckPasswordAsync"/>.</summary>
/// <param name="Outcome">What was found.</param>
/// <param name="UserId">The normalised user id that was checked.</param>
/// <param name="Roles">The account's roles when <see cref="Outcome"/> is <see cref="PasswordCheckOutcome.Succeeded"/>, else empty.</param>
/// <param name="LockedUntil">Until when the account is locked, when this check locked it or found it locked.</param>
public sealed record PasswordCheckResult(PasswordCheckOutcome Outcome, string UserId, IReadOnlyList<string> Roles, DateTimeOffset? LockedUntil = null)
{
    /// <summary>Whether the password was right for an enabled, unlocked account.</summary>
    public bool Succeeded => Outcome == PasswordCheckOutcome.Succeeded;
}
