using System.Text;
using System.Text.RegularExpressions;
using Gateway.Identity.Accounts;
using Gateway.Identity.Tests.Support;

namespace Gateway.Identity.Tests.Cli;

public sealed partial class IdentityCommandsTests : IDisposable
{
    private const string Policy = """
        services:
          - name: dicomweb
            kind: dicomweb
        roles:
          - name: ai-service
            grants:
              - services: [dicomweb]
                operations: [qido, stow]
          - name: clinician
            token-claim: true
            grants:
              - services: [dicomweb]
                operations: [qido, wado]
        clients:
          - name: ai-triage
            client-id: ai-triage
            roles: [ai-service]
        users:
          - id: alice.meyer
            roles: [clinician]
        """;

    private readonly TempDirectory _dir = new();

    public IdentityCommandsTests()
    {
        Directory.CreateDirectory(PolicyDirectory);
        File.WriteAllText(Path.Combine(PolicyDirectory, "people.yaml"), Policy);
    }

    private string DataDirectory => Path.Combine(_dir.Path, "data");

    private string PolicyDirectory => Path.Combine(_dir.Path, "policies");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task ClientAdd_Service_PrintsTheSecretOnceWithThePolicysRolesAndStoresOnlyItsHash()
    {
        (int code, string output, string errors) = await RunAsync("identity client add ai-triage --kind service");

        Assert.Equal(0, code);
        Assert.Empty(errors);
        Assert.Contains("added client ai-triage (service, confidential), roles: ai-service", output, StringComparison.Ordinal);
        string secret = SecretLine().Match(output).Groups[1].Value;
        Assert.True(secret.Length >= 40, output);

        (int listCode, string list, _) = await RunAsync("identity client list");
        Assert.Equal(0, listCode);
        Assert.Contains("ai-triage", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        await using (IdentityAdmin admin = IdentityAdmin.Open(DataDirectory))
        {
            Assert.True(await admin.WithClientsAsync(c => c.ValidateSecretAsync("ai-triage", secret)));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(DataDirectory, "identity"), "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ClientAdd_RoleThePolicyDoesNotDefine_IsRefused()
    {
        (int code, _, string errors) = await RunAsync("identity client add partner --kind service --role superuser");

        Assert.Equal(2, code);
        Assert.Contains("role superuser is not defined in the policy", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientAdd_UnknownToThePolicy_WarnsThatItWillBeDenied()
    {
        (int code, _, string errors) = await RunAsync("identity client add partner --kind service --role ai-service");

        Assert.Equal(0, code);
        Assert.Contains("warning: the policy has no client with client-id partner", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientRotateSecretAndRemove_OldSecretStopsWorking()
    {
        (_, string added, _) = await RunAsync("identity client add ai-triage --kind service");
        string first = SecretLine().Match(added).Groups[1].Value;

        (int code, string rotated, _) = await RunAsync("identity client rotate-secret ai-triage");
        string second = Regex.Match(rotated, "new secret of client ai-triage: (\\S+)").Groups[1].Value;

        Assert.Equal(0, code);
        await using (IdentityAdmin admin = IdentityAdmin.Open(DataDirectory))
        {
            Assert.False(await admin.WithClientsAsync(c => c.ValidateSecretAsync("ai-triage", first)));
            Assert.True(await admin.WithClientsAsync(c => c.ValidateSecretAsync("ai-triage", second)));
        }

        Assert.Equal(0, (await RunAsync("identity client remove ai-triage")).Code);
        (int again, _, string errors) = await RunAsync("identity client remove ai-triage");
        Assert.Equal(2, again);
        Assert.Contains("no client ai-triage", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientAdd_Interactive_NeedsAnHttpsRedirectUri()
    {
        Assert.Equal(2, (await RunAsync("identity client add viewer --kind interactive --public --role clinician")).Code);
        Assert.Equal(2, (await RunAsync("identity client add viewer --kind interactive --public --role clinician --redirect-uri http://viewer.example/cb")).Code);

        (int code, string output, _) = await RunAsync("identity client add viewer --kind interactive --public --role clinician --redirect-uri https://viewer.example/cb");

        Assert.Equal(0, code);
        Assert.DoesNotContain("secret", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAdd_PasswordFromStdin_AccountWorksWithThePolicysRoles()
    {
        (int code, string output, _) = await RunAsync("identity user add alice.meyer --password-stdin", stdin: "correct horse battery staple\n");

        Assert.Equal(0, code);
        Assert.Contains("added user alice.meyer, roles: clinician", output, StringComparison.Ordinal);
        await using (IdentityAdmin admin = IdentityAdmin.Open(DataDirectory))
        {
            PasswordCheckResult check = await admin.Users.CheckPasswordAsync("alice.meyer", "correct horse battery staple");
            Assert.True(check.Succeeded);
            Assert.Equal(["clinician"], check.Roles);
        }

        (_, string list, _) = await RunAsync("identity user list");
        Assert.Matches("alice\\.meyer +active +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +clinician", list);
        Assert.DoesNotContain("argon2", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserSetPasswordDisableEnable_ChangeWhatTheAccountCanDo()
    {
        await RunAsync("identity user add alice.meyer --password-stdin", stdin: "correct horse battery staple\n");

        Assert.Equal(0, (await RunAsync("identity user set-password alice.meyer --password-stdin", stdin: "a different long passphrase\n")).Code);
        Assert.Equal(0, (await RunAsync("identity user disable alice.meyer")).Code);
        await using (IdentityAdmin admin = IdentityAdmin.Open(DataDirectory))
        {
            Assert.Equal(PasswordCheckOutcome.Disabled, (await admin.Users.CheckPasswordAsync("alice.meyer", "a different long passphrase")).Outcome);
        }

        (_, string list, _) = await RunAsync("identity user list");
        Assert.Contains("disabled", list, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("identity user enable alice.meyer")).Code);
        await using (IdentityAdmin admin = IdentityAdmin.Open(DataDirectory))
        {
            Assert.True((await admin.Users.CheckPasswordAsync("alice.meyer", "a different long passphrase")).Succeeded);
        }
    }

    [Fact]
    public async Task UserAdd_BadInput_IsRefusedWithOneErrorLine()
    {
        await RunAsync("identity client add ai-triage --kind service");

        (int clash, _, string clashError) = await RunAsync("identity user add ai-triage --role clinician --password-stdin", stdin: "correct horse battery staple\n");
        (int shortPassword, _, string shortError) = await RunAsync("identity user add bob --role clinician --password-stdin", stdin: "short\n");
        (int noPassword, _, string noPasswordError) = await RunAsync("identity user add bob --role clinician --password-stdin", stdin: string.Empty);
        (int unknown, _, string unknownError) = await RunAsync("identity user set-password nobody --password-stdin", stdin: "correct horse battery staple\n");

        Assert.Equal((2, 2, 2, 2), (clash, shortPassword, noPassword, unknown));
        Assert.Contains("a client is named ai-triage", clashError, StringComparison.Ordinal);
        Assert.Contains("at least 12 characters", shortError, StringComparison.Ordinal);
        Assert.Contains("no password on standard input", noPasswordError, StringComparison.Ordinal);
        Assert.Contains("no user nobody", unknownError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAdd_PolicyWithErrors_IsRefusedUnlessTheCheckIsSkipped()
    {
        File.WriteAllText(Path.Combine(PolicyDirectory, "broken.yaml"), "roles: [unterminated\n");

        (int code, _, string errors) = await RunAsync("identity user add bob --role clinician --password-stdin", stdin: "correct horse battery staple\n");
        (int skipped, _, _) = await RunAsync("identity user add bob --role clinician --no-policy-check --password-stdin", stdin: "correct horse battery staple\n");

        Assert.Equal(2, code);
        Assert.Contains("policy lint", errors, StringComparison.Ordinal);
        Assert.Equal(0, skipped);
    }

    [Fact]
    public async Task RotateSigningKey_AddsANewKeyFileAndKeepsTheOld()
    {
        Assert.Equal(0, (await RunAsync("identity rotate-signing-key --key-size 2048")).Code);
        await Task.Delay(5);

        (int code, string output, _) = await RunAsync("identity rotate-signing-key --key-size 2048");

        Assert.Equal(0, code);
        Assert.Matches("new signing key \\S+ \\(2048 bits\\)", output);
        string keys = Path.Combine(DataDirectory, "identity", "keys");
        Assert.Equal(3, Directory.GetFiles(keys, "signing-*.pem").Length);
        Assert.All(Directory.GetFiles(keys), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    private async Task<(int Code, string Output, string Errors)> RunAsync(string command, string? stdin = null)
    {
        string[] args = [.. command.Split(' '), "--data", DataDirectory];
        if (command.StartsWith("identity client add", StringComparison.Ordinal) || command.StartsWith("identity user add", StringComparison.Ordinal))
        {
            args = [.. args, "--policy", PolicyDirectory];
        }

        using var output = new StringWriter();
        using var errors = new StringWriter();
        int code = await Gateway.Cli.Program.RunAsync(args, new StringReader(stdin ?? string.Empty), output, errors);
        return (code, output.ToString(), errors.ToString());
    }

    [GeneratedRegex("^secret: (\\S+)$", RegexOptions.Multiline)]
    private static partial Regex SecretLine();
}
