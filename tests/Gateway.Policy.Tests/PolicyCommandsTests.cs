using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Cli;
using Gateway.Policy.Analysis;
using Gateway.Policy.Tests.Support;
using static Gateway.Policy.Tests.Support.Requests;

namespace Gateway.Policy.Tests;

/// <summary><c>gatewayctl policy ...</c> in process: output, exit codes (0 ok, 1 usage or lint errors, 2 bad input).</summary>
public sealed class PolicyCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policy-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Policy(string name, params string[] files)
    {
        string dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(dir);
        for (int i = 0; i < files.Length; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"{(char)('a' + i)}.yaml"), files[i]);
        }

        return dir;
    }

    private static async Task<(int ExitCode, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = await Program.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString().ReplaceLineEndings("\n"), stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Lint_ShippedPolicies_ExitsZero()
    {
        (int exit, string output, string error) = await Run("policy", "lint", Policies.ShippedDirectory);

        Assert.True(exit == ExitCodes.Success, output + error);
        Assert.EndsWith(": 5 files, 0 errors, 0 warnings\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_Errors_ListsThemWithFileAndLineAndExitsOne()
    {
        string dir = Policy("bad", "zones:\n  - {name: z, kind: device, networks: [10.0.0.0/8]}\n", "peers:\n  - {name: p, zone: nowhere, ae-titles: [P], addresses: [10.0.0.1]}\n");

        (int exit, string output, _) = await Run("policy", "lint", dir);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"{Path.Combine(dir, "b.yaml")}:2:5: error unknown-name: peer 'p': zone 'nowhere' is not defined\n", output, StringComparison.Ordinal);
        Assert.EndsWith(": 2 files, 1 error, 0 warnings\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_WarningsOnly_ExitsZeroUnlessStrict()
    {
        string dir = Policy("warn", "mode: observe\n");

        Assert.Equal(ExitCodes.Success, (await Run("policy", "lint", dir)).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await Run("policy", "lint", "--strict", dir)).ExitCode);
    }

    [Fact]
    public async Task Lint_MissingDirectory_ExitsTwo()
    {
        (int exit, _, string error) = await Run("policy", "lint", Path.Combine(_dir, "nope"));

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.StartsWith("error: io: policy directory", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_HostileFile_ExitsOneWithAClearError()
    {
        string dir = Policy("hostile", "a: &a [x, x]\nb: [*a, *a]\n");

        (int exit, string output, _) = await Run("policy", "lint", dir);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("error yaml-anchor: anchors (&name) are not allowed in policy files", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_Denied_PrintsTheDecisionAndExitsZero()
    {
        string dir = Policy("site", Policies.Site);

        (int exit, string output, string error) = await Run("policy", "explain", dir, "--calling-ae", "US01", "--address", "10.1.0.31", "--called-ae", "GW_PACS",
            "--operation", "store", "--sop-class", "CTImageStorage", "--at", "2025-03-04T10:00:00Z");

        Assert.True(exit == ExitCodes.Success, error);
        Assert.StartsWith("decision: deny (enforce mode)\nreason:   sop-class-not-allowed\n", output, StringComparison.Ordinal);
        Assert.Contains("    - SOP class 1.2.840.10008.5.1.4.1.1.2 (CTImageStorage) is not in [us]\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_Json_IsTheWriterOutput()
    {
        string dir = Policy("site", Policies.Site);

        (int exit, string output, _) = await Run("policy", "explain", dir, "--client", "viewer-app", "--user", "dr.new", "--role", "clinician", "--address", "10.2.3.4",
            "--service", "web", "--operation", "wado", "--at", "2025-03-04T10:00:00Z", "--json");

        Assert.Equal(ExitCodes.Success, exit);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("allow", json.RootElement.GetProperty("decision").GetString());
        Assert.Equal("role:clinician/view", json.RootElement.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Explain_WithACertificateFile_ReadsItsFacts()
    {
        string dir = Policy("site", Policies.Site);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=viewer.example.org, O=Example", key, HashAlgorithmName.SHA256);
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName("viewer.example.org");
        request.CertificateExtensions.Add(sans.Build());
        using X509Certificate2 self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string pem = Path.Combine(_dir, "viewer.pem");
        File.WriteAllText(pem, self.ExportCertificatePem());

        (int exit, string output, _) = await Run("policy", "explain", dir, "--calling-ae", "VIEWER", "--address", "10.2.5.9", "--called-ae", "GW_PACS",
            "--operation", "find", "--sop-class", StudyRootFind, "--cert", pem);

        // Self-signed: the subject and SAN match, the issuer (CN=Example CA) does not.
        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith("decision: deny (enforce mode)\nreason:   certificate-mismatch\nrule:     peer:viewer\n", output, StringComparison.Ordinal);
        Assert.Contains("  - issuer must be 'CN=Example CA', is 'CN=viewer.example.org, O=Example'\n", output, StringComparison.Ordinal);
    }

    public static TheoryData<string[], int, string> ExplainErrors => new()
    {
        { ["--operation", "store", "--address", "10.1.0.11", "--called-ae", "GW_PACS"], ExitCodes.Usage, "error: store needs --calling-ae" },
        { ["--operation", "qido", "--service", "web"], ExitCodes.Usage, "error: qido needs --client" },
        { ["--operation", "teleport"], ExitCodes.Usage, "error: unknown operation 'teleport'" },
        { ["--calling-ae", "CT01", "--address", "10.1", "--called-ae", "GW_PACS", "--operation", "echo"], ExitCodes.BadInput, "error: --address '10.1' is not an IP address" },
        { ["--calling-ae", "CT01", "--address", "10.1.0.11", "--called-ae", "GW_PACS", "--operation", "echo", "--at", "noon"], ExitCodes.BadInput, "error: --at 'noon' is not an ISO 8601 date and time" },
        { ["--calling-ae", "CT01", "--address", "10.1.0.11", "--called-ae", "GW_PACS", "--operation", "store", "--sop-class", "CTImage"], ExitCodes.BadInput, "error: --sop-class 'CTImage' is neither a UID nor a SOP class keyword" },
        { ["--calling-ae", "CT01", "--address", "10.1.0.11", "--called-ae", "GW_PACS", "--operation", "echo", "--cert", "/nonexistent.pem"], ExitCodes.BadInput, "error: certificate file '/nonexistent.pem' does not exist" },
    };

    [Theory]
    [MemberData(nameof(ExplainErrors))]
    public async Task Explain_BadArguments_OneErrorLineAndTheExitCode(string[] args, int exitCode, string message)
    {
        string dir = Policy("site", Policies.Site);

        (int exit, _, string error) = await Run(["policy", "explain", dir, .. args]);

        Assert.Equal(exitCode, exit);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_InvalidPolicy_ExitsTwo()
    {
        string dir = Policy("broken", "mode: chaos\n");

        (int exit, _, string error) = await Run("policy", "explain", dir, "--calling-ae", "CT01", "--address", "10.1.0.11", "--called-ae", "GW_PACS", "--operation", "echo");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("a.yaml:1:7: invalid-value: mode must be 'enforce' or 'observe', not 'chaos'\n", error, StringComparison.Ordinal);
        Assert.Contains("error: the policy in", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_PrintsTheChangesAndExitsZero()
    {
        string old = Policy("old", Policies.Site);
        string @new = Policy("new", Policies.Site.Replace("sop-classes: [us]", "sop-classes: [us, sr]", StringComparison.Ordinal));

        (int exit, string output, _) = await Run("policy", "diff", old, @new);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("  + Flow us-store now also allows SOP classes sr (", output, StringComparison.Ordinal);
        Assert.EndsWith("1 grants, 0 removals, 0 other changes.\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_InvalidSide_ExitsTwo()
    {
        Assert.Equal(ExitCodes.BadInput, (await Run("policy", "diff", Policy("old", Policies.Site), Policy("new", "flows: ["))).ExitCode);
    }

    [Fact]
    public async Task Simulate_ListsChangedRequests()
    {
        PolicyEvaluator old = Policies.Compile(Policies.Site);
        string recorded = Path.Combine(_dir, "recorded.jsonl");
        File.WriteAllLines(recorded, new[] { CtStore(), CtStore(BasicTextSR) }.Select(r => RecordedRequestWriter.ToJsonLine(r, old.Evaluate(r))));
        string @new = Policy("new", Policies.Site.Replace("sop-classes: [ct, sr]", "sop-classes: [ct]", StringComparison.Ordinal));

        (int exit, string output, _) = await Run("policy", "simulate", @new, "--from", recorded);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith("line 2: allowed -> DENIED (sop-class-not-allowed, default-deny, nearest flow:ct-store)", output, StringComparison.Ordinal);
        Assert.EndsWith("2 requests replayed: 1 would change (1 now denied, 0 now allowed)\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_MalformedRecording_ExitsTwoWithLineNumbers()
    {
        string recorded = Path.Combine(_dir, "recorded.jsonl");
        File.WriteAllText(recorded, "{\"time\":\"2025-03-04T10:00:00Z\",\"operation\":\"echo\"}\n{oops\n");

        (int exit, _, string error) = await Run("policy", "simulate", Policy("site", Policies.Site), "--from", recorded);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.StartsWith($"error: {recorded}:2:1: recorded-request: not valid JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_MissingRecording_ExitsTwo()
    {
        (int exit, _, string error) = await Run("policy", "simulate", Policy("site", Policies.Site), "--from", Path.Combine(_dir, "none.jsonl"));

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Learn_WritesAProposalThatLintsAndAllowsTheRecording()
    {
        string recorded = Path.Combine(_dir, "recorded.jsonl");
        File.WriteAllLines(recorded, new[] { CtStore(), Dimse(PolicyOperation.Find, "WS01", "10.1.0.50", sopClass: StudyRootFind) }.Select(r => RecordedRequestWriter.ToJsonLine(r)));
        string output = Path.Combine(_dir, "learned", "site.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        (int exit, string stdout, _) = await Run("policy", "learn", "--from", recorded, "--output", output, "--mode", "enforce");
        (int lintExit, _, _) = await Run("policy", "lint", Path.GetDirectoryName(output)!);
        (int simulateExit, string simulated, _) = await Run("policy", "simulate", Path.GetDirectoryName(output)!, "--from", recorded, "--old", Policy("site", Policies.Site));

        Assert.Equal((ExitCodes.Success, string.Empty), (exit, stdout));
        Assert.Contains("mode: enforce\n", File.ReadAllText(output), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, lintExit);
        Assert.Equal(ExitCodes.Success, simulateExit);
        Assert.EndsWith("2 requests replayed: 0 would change (0 now denied, 0 now allowed)\n", simulated, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Learn_BadMode_IsAUsageError()
    {
        Assert.Equal(ExitCodes.Usage, (await Run("policy", "learn", "--from", "x.jsonl", "--mode", "sometimes")).ExitCode);
    }

    [Theory]
    [InlineData("policy")]
    [InlineData("policy", "diff", "one")]
    [InlineData("policy", "simulate", "dir")]
    [InlineData("policy", "learn")]
    [InlineData("policy", "explain", "--calling-ae", "X")]
    public async Task MissingArguments_AreUsageErrors(params string[] args)
    {
        (int exit, _, string error) = await Run(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlCharactersFromInput_AreEscapedInOutput()
    {
        string dir = Policy("ctl", "zones:\n  - {name: \"z\\e[31m\", kind: device, networks: [10.0.0.0/8]}\n");

        (_, string output, _) = await Run("policy", "lint", dir);

        Assert.DoesNotContain('\u001b', output);
        Assert.Contains("z\\x1b[31m", output, StringComparison.Ordinal);
    }
}
