namespace Gateway.Identity.Accounts;

/// <summary>What a password check found. Callers show people one generic message for every failure.</summary>
public enum PasswordCheckOutcome
{
    /// <summary>The password matched an enabled, unlocked account.</summary>
    Succeeded,

    /// <summary>No such account (the check still took as long as a real one).</summary>
    UnknownUser,

    /// <summary>The password did not match; the failure was counted.</summary>
    WrongPassword,

    /// <summary>The account is locked after too many failures; the password was not checked.</summary>
    LockedOut,

    /// <summary>The password matched but the account is disabled.</summary>
    Disabled,

    /// <summary>The user id or password cannot be valid (empty, too long, not a valid id).</summary>
    Malformed,
}
