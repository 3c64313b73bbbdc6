using System.Text;
using Gateway.Identity.Accounts;
using Gateway.Identity.Tests.Support;

namespace Gateway.Identity.Tests.Accounts;

public sealed class UserAccountsTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private readonly TempDirectory _data = new();
    private readonly ManualTimeProvider _clock = new();
    private IdentityAdmin _admin = null!;

    public Task InitializeAsync()
    {
        _admin = IdentityAdmin.Open(_data.Path, IdentityTestHost.DefaultOptions() with { EnableLocalServer = false, LockoutThreshold = 3, LockoutDuration = TimeSpan.FromMinutes(15) }, _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task CheckPassword_RightPassword_SucceedsWithRoles()
    {
        await _admin.Users.CreateAsync("alice.meyer", Password, ["security-admin", "compliance-officer"]);

        PasswordCheckResult result = await _admin.Users.CheckPasswordAsync("Alice.Meyer", Password);

        Assert.Equal(PasswordCheckOutcome.Succeeded, result.Outcome);
        Assert.Equal("alice.meyer", result.UserId);
        Assert.Equal(["compliance-officer", "security-admin"], result.Roles);
    }

    [Fact]
    public async Task CheckPassword_RepeatedFailures_LockTheAccountEvenForTheRightPasswordUntilTheLockExpires()
    {
        await _admin.Users.CreateAsync("bob", Password, []);

        Assert.Equal(PasswordCheckOutcome.WrongPassword, (await _admin.Users.CheckPasswordAsync("bob", "wrong password 1")).Outcome);
        Assert.Equal(PasswordCheckOutcome.WrongPassword, (await _admin.Users.CheckPasswordAsync("bob", "wrong password 2")).Outcome);
        PasswordCheckResult third = await _admin.Users.CheckPasswordAsync("bob", "wrong password 3");
        Assert.Equal(PasswordCheckOutcome.LockedOut, third.Outcome);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(15), third.LockedUntil);

        Assert.Equal(PasswordCheckOutcome.LockedOut, (await _admin.Users.CheckPasswordAsync("bob", Password)).Outcome);
        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(PasswordCheckOutcome.LockedOut, (await _admin.Users.CheckPasswordAsync("bob", Password)).Outcome);

        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(PasswordCheckOutcome.Succeeded, (await _admin.Users.CheckPasswordAsync("bob", Password)).Outcome);
    }

    [Fact]
    public async Task CheckPassword_ParallelGuesses_AreAllCounted()
    {
        await _admin.Users.CreateAsync("carol", Password, []);

        PasswordCheckResult[] results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => _admin.Users.CheckPasswordAsync("carol", "guess number " + i)));

        Assert.Contains(results, r => r.Outcome == PasswordCheckOutcome.LockedOut);
        Assert.Equal(PasswordCheckOutcome.LockedOut, (await _admin.Users.CheckPasswordAsync("carol", Password)).Outcome);
    }

    [Fact]
    public async Task CheckPassword_SuccessBeforeThreshold_ResetsTheCount()
    {
        await _admin.Users.CreateAsync("dave", Password, []);
        await _admin.Users.CheckPasswordAsync("dave", "wrong password 1");
        await _admin.Users.CheckPasswordAsync("dave", "wrong password 2");

        Assert.True((await _admin.Users.CheckPasswordAsync("dave", Password)).Succeeded);
        await _admin.Users.CheckPasswordAsync("dave", "wrong password 3");
        await _admin.Users.CheckPasswordAsync("dave", "wrong password 4");

        Assert.True((await _admin.Users.CheckPasswordAsync("dave", Password)).Succeeded);
    }

    [Fact]
    public async Task CheckPassword_UnknownDisabledOrMalformed_AreRefusedWithTheirOutcome()
    {
        await _admin.Users.CreateAsync("erin", Password, []);
        Assert.True(await _admin.Users.SetDisabledAsync("erin", disabled: true));

        Assert.Equal(PasswordCheckOutcome.UnknownUser, (await _admin.Users.CheckPasswordAsync("nobody", Password)).Outcome);
        Assert.Equal(PasswordCheckOutcome.Disabled, (await _admin.Users.CheckPasswordAsync("erin", Password)).Outcome);
        Assert.Equal(PasswordCheckOutcome.WrongPassword, (await _admin.Users.CheckPasswordAsync("erin", "not the password")).Outcome);
        Assert.Equal(PasswordCheckOutcome.Malformed, (await _admin.Users.CheckPasswordAsync("erin'; drop table", Password)).Outcome);
        Assert.Equal(PasswordCheckOutcome.Malformed, (await _admin.Users.CheckPasswordAsync("erin", new string('p', 5000))).Outcome);
        Assert.Null(await _admin.Users.FindActiveRolesAsync("erin"));
    }

    [Fact]
    public async Task SetPassword_ReplacesThePasswordAndLiftsTheLock()
    {
        await _admin.Users.CreateAsync("frank", Password, []);
        for (int i = 0; i < 3; i++)
        {
            await _admin.Users.CheckPasswordAsync("frank", "wrong password " + i);
        }

        Assert.True(await _admin.Users.SetPasswordAsync("frank", "a brand new passphrase"));

        Assert.True((await _admin.Users.CheckPasswordAsync("frank", "a brand new passphrase")).Succeeded);
        Assert.Equal(PasswordCheckOutcome.WrongPassword, (await _admin.Users.CheckPasswordAsync("frank", Password)).Outcome);
        Assert.False(await _admin.Users.SetPasswordAsync("nobody", "a brand new passphrase"));
    }

    [Fact]
    public async Task Create_InvalidOrDuplicate_IsRefused()
    {
        await _admin.Users.CreateAsync("grace", Password, []);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _admin.Users.CreateAsync("grace", Password, []));
        await Assert.ThrowsAsync<ArgumentException>(() => _admin.Users.CreateAsync("Grace", Password, []));
        await Assert.ThrowsAsync<ArgumentException>(() => _admin.Users.CreateAsync("heidi", "short", []));
        await Assert.ThrowsAsync<ArgumentException>(() => _admin.Users.CreateAsync("heidi", Password, ["Not A Role"]));
    }

    [Fact]
    public async Task Database_IsOwnerOnlyAndHoldsNoPlaintextPassword()
    {
        await _admin.Users.CreateAsync("ivan", "canary-passphrase-7f3a9", []);
        await _admin.Users.CheckPasswordAsync("ivan", "canary-passphrase-7f3a9");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        string identity = Path.Combine(_data.Path, "identity");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(identity));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(identity, "identity.db")));
        foreach (string file in Directory.EnumerateFiles(identity, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("canary-passphrase-7f3a9", Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
    }
}
