using System.Text;
using Gateway.Identity.Passwords;
using Gateway.Identity.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Identity.Accounts;

/// <summary>
/// The local accounts: created, listed, disabled and given passwords by <c>gatewayctl identity user ...</c>; checked at
/// the login page and for DIMSE username+passcode, with lockout after repeated failures.
/// </summary>
/// <remarks>
/// A password check on an unknown account hashes against a dummy hash, so that timing does not tell which accounts
/// exist. A locked account is refused before any hashing. At most <see cref="GatewayIdentityOptions.MaxConcurrentPasswordChecks"/>
/// Argon2id computations run at once. Failures are counted with one atomic UPDATE, so parallel guesses cannot slip past
/// the threshold.
/// </remarks>
public sealed class UserAccounts : IDisposable
{
    private readonly IDbContextFactory<IdentityDbContext> _contexts;
    private readonly GatewayIdentityOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _hashGate;
    private readonly Lazy<string> _dummyHash;

    /// <summary>Creates the service.</summary>
    public UserAccounts(IDbContextFactory<IdentityDbContext> contexts, GatewayIdentityOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _contexts = contexts;
        _options = options;
        _time = time;
        _hashGate = new SemaphoreSlim(options.MaxConcurrentPasswordChecks, options.MaxConcurrentPasswordChecks);
        _dummyHash = new Lazy<string>(() => Argon2idHasher.Hash(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)), options.PasswordHashing));
    }

    /// <summary>Creates an account.</summary>
    /// <exception cref="ArgumentException">Invalid id, role name or password.</exception>
    /// <exception cref="InvalidOperationException">The account exists already.</exception>
    public async Task CreateAsync(string userId, string password, IReadOnlyList<string> roles, CancellationToken cancellationToken = default)
    {
        string id = RequireId(userId);
        string roleList = RoleList(roles);
        string hash = await HashAsync(password, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        await using IdentityDbContext db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Users.AnyAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"user {id} exists already");
        }

        db.Users.Add(new UserAccount { Id = id, PasswordHash = hash, Roles = roleList, CreatedAt = now, PasswordChangedAt = now });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every account, ordered by id.</summary>
    public async Task<IReadOnlyList<UserAccountInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using IdentityDbContext db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        List<UserAccount> users = await db.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        return [.. users.Select(u => new UserAccountInfo(
            u.Id, IdentityNames.SplitRoles(u.Roles), u.Disabled, u.LockedUntil > now ? u.LockedUntil : null, u.FailedAttempts, u.CreatedAt, u.PasswordChangedAt, u.LastLoginAt))];
    }

    /// <summary>The account's roles if it exists and is enabled, else null (a token is refused for it).</summary>
    public async Task<IReadOnlyList<string>?> FindActiveRolesAsync(string userId, CancellationToken cancellationToken = default)
    {
        if (!IdentityNames.IsValidId(userId))
        {
            return null;
        }

        await using IdentityDbContext db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        UserAccount? user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        return user is { Disabled: false } ? IdentityNames.SplitRoles(user.Roles) : null;
    }

    /// <summary>Whether an account with this id exists.</summary>
    public async Task<bool> ExistsAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using IdentityDbContext db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Users.AnyAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disables (or enables) an account. A disabled account cannot log in; tokens already issued expire on their own.</summary>
    /// <returns>False when there is no such account.</returns>
    public async Task<bool> SetDisabledAsync(string userId, bool disabled, CancellationToken cancellationToken = default)
    {
        await using IdentityDbContext db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        int changed = await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Disabled, disabled), cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>Sets a new password and clears the failure count and any lockout.</summary>
    /// <returns>False when there is no such account.</returns>
    /// <exception cref="ArgumentException">The password is not acceptable.</exception>
    public async Task<bool> SetPasswordAsync(string userId, string password, CancellationToken cancellationToken = default)
    {
        string hash = await HashAsync(password, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        await using IdentityDbContext db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        int changed = await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.PasswordHash, hash)
            .SetProperty(u => u.PasswordChangedAt, now)
            .SetProperty(u => u.FailedAttempts, 0)
            .SetProperty(u => u.LockedUntil, (DateTimeOffset?)null), cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>Sets an account's roles.</summary>
    /// <returns>False when there is no such account.</returns>
    public async Task<bool> SetRolesAsync(string userId, IReadOnlyList<string> roles, CancellationToken cancellationToken = default)
    {
        string roleList = RoleList(roles);
        await using IdentityDbContext db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        int changed = await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Roles, roleList), cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>
    /// Checks a password. User ids are compared in lower case. Counts failures, locks the account at the threshold, and
    /// on success resets the count, records the login and upgrades the hash to the current parameters.
    /// </summary>
    public async Task<PasswordCheckResult> CheckPasswordAsync(string userId, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(password);
        string id = userId.Trim().ToLowerInvariant();
        if (!IdentityNames.IsValidId(id) || password.Length == 0 || Encoding.UTF8.GetByteCount(password) > Argon2idHasher.MaxPasswordBytes)
        {
            return new PasswordCheckResult(PasswordCheckOutcome.Malformed, IdentityNames.IsValidId(id) ? id : string.Empty, []);
        }

        await using IdentityDbContext db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        UserAccount? user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken).ConfigureAwait(false);
        DateTimeOffset now = _time.GetUtcNow();
        if (user is null)
        {
            _ = await VerifyAsync(password, _dummyHash.Value, cancellationToken).ConfigureAwait(false);
            return new PasswordCheckResult(PasswordCheckOutcome.UnknownUser, id, []);
        }

        if (user.LockedUntil is { } locked && locked > now)
        {
            return new PasswordCheckResult(PasswordCheckOutcome.LockedOut, id, [], locked);
        }

        if (!await VerifyAsync(password, user.PasswordHash, cancellationToken).ConfigureAwait(false))
        {
            DateTimeOffset? lockedUntil = await CountFailureAsync(db, id, now, cancellationToken).ConfigureAwait(false);
            return new PasswordCheckResult(lockedUntil is null ? PasswordCheckOutcome.WrongPassword : PasswordCheckOutcome.LockedOut, id, [], lockedUntil);
        }

        if (user.Disabled)
        {
            return new PasswordCheckResult(PasswordCheckOutcome.Disabled, id, []);
        }

        string? rehash = Argon2idHasher.NeedsRehash(user.PasswordHash, _options.PasswordHashing)
            ? await HashAsync(password, cancellationToken).ConfigureAwait(false)
            : null;
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.FailedAttempts, 0)
            .SetProperty(u => u.LockedUntil, (DateTimeOffset?)null)
            .SetProperty(u => u.LastLoginAt, now)
            .SetProperty(u => u.PasswordHash, u => rehash ?? u.PasswordHash), cancellationToken).ConfigureAwait(false);
        return new PasswordCheckResult(PasswordCheckOutcome.Succeeded, id, IdentityNames.SplitRoles(user.Roles));
    }

    /// <inheritdoc/>
    public void Dispose() => _hashGate.Dispose();

    private async Task<DateTimeOffset?> CountFailureAsync(IdentityDbContext db, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.Users.Where(u => u.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedAttempts, u => u.FailedAttempts + 1), cancellationToken).ConfigureAwait(false);
        int failures = await db.Users.Where(u => u.Id == id).Select(u => u.FailedAttempts).SingleAsync(cancellationToken).ConfigureAwait(false);
        if (failures < _options.LockoutThreshold)
        {
            return null;
        }

        // The count starts again once the lock expires: the next LockoutThreshold failures lock it again.
        DateTimeOffset until = now + _options.LockoutDuration;
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.LockedUntil, until)
            .SetProperty(u => u.FailedAttempts, 0), cancellationToken).ConfigureAwait(false);
        return until;
    }

    private async Task<bool> VerifyAsync(string password, string hash, CancellationToken cancellationToken)
    {
        await _hashGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Argon2idHasher.Verify(password, hash);
        }
        finally
        {
            _hashGate.Release();
        }
    }

    private async Task<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        await _hashGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Argon2idHasher.Hash(password, _options.PasswordHashing);
        }
        finally
        {
            _hashGate.Release();
        }
    }

    private static string RequireId(string userId) =>
        IdentityNames.IsValidId(userId) ? userId : throw new ArgumentException($"invalid user id '{userId}': 1-{IdentityNames.MaxLength} characters of a-z 0-9 . _ - @, starting with a letter or digit", nameof(userId));

    private static string RoleList(IReadOnlyList<string> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        foreach (string role in roles)
        {
            if (!IdentityNames.IsValidRole(role))
            {
                throw new ArgumentException($"invalid role name '{role}'", nameof(roles));
            }
        }

        return string.Join(' ', roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
    }
}
