using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;

namespace Gateway.Audit.Tests.Cli;

/// <summary><c>gatewayctl audit ...</c> end to end, in process.</summary>
public sealed class AuditCommandsTests : IAsyncLifetime
{
    private readonly TestDirectory _dir = new();

    private string Log => _dir.Combine("log");

    public async Task InitializeAsync() => await TestLogs.CreateAsync(Log, 12, checkpointEvery: 5);

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Verify_IntactLog_ExitsZero()
    {
        (int code, string output, string error) = await RunAsync("audit", "verify", "--dir", Log);

        Assert.True(code == 0, output + error);
        Assert.Contains("records: 12", output, StringComparison.Ordinal);
        Assert.Contains("OK: the log verifies", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_TamperedRecord_ExitsFourAndNamesIt()
    {
        string segment = SegmentSurgery.OnlySegment(Log);
        List<SegmentSurgery.Frame> frames = SegmentSurgery.ReadFrames(segment);
        byte[] bytes = await File.ReadAllBytesAsync(segment);
        bytes[frames[6].Offset + 100] ^= 0x20;
        await File.WriteAllBytesAsync(segment, bytes);

        (int code, string output, _) = await RunAsync("audit", "verify", "--dir", Log, "--decrypt");

        Assert.Equal(4, code);
        Assert.Contains("FAIL: record 6", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NoLog_ExitsTwoWithOneErrorLine()
    {
        (int code, _, string error) = await RunAsync("audit", "verify", "--dir", _dir.Combine("nothing"));

        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ByPatientAndOutcome_PrintsMatchingRecords()
    {
        (int code, string output, string error) = await RunAsync("audit", "search", "--dir", Log, "--patient-id", "PID-2");

        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Contains("patients=PID-2", l, StringComparison.Ordinal));

        (_, string denied, _) = await RunAsync("audit", "search", "--dir", Log, "--outcome", "4", "--user", "mallory", "--format", "jsonl");
        Assert.Equal(2, denied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // Records 3, 4 and 5 fall in the window; 4 is a denial by another user.
        (_, string ae, _) = await RunAsync("audit", "search", "--dir", Log, "--ae", "CT_SCANNER", "--event", "110104", "--from", "2025-03-04T05:06:10Z", "--to", "2025-03-04T05:06:13Z");
        Assert.Equal(2, ae.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task ExportThenVerifyExport_RoundTrips_AndTamperingExitsFour()
    {
        string bundle = _dir.Combine("out.zip");
        (int code, string output, string error) = await RunAsync("audit", "export", "--dir", Log, "--out", bundle, "--format", "fhir", "--patient-id", "PID-1", "--operator", "officer");
        Assert.True(code == 0, error);
        Assert.Contains("exported", output, StringComparison.Ordinal);

        string key = new AuditLogPaths(Log).PublicKey;
        (code, output, error) = await RunAsync("audit", "verify-export", bundle, "--public-key", key);
        Assert.True(code == 0, output + error);
        Assert.StartsWith("OK: ", output, StringComparison.Ordinal);

        string dirBundle = _dir.Combine("out-dir");
        (code, _, _) = await RunAsync("audit", "export", "--dir", Log, "--out", dirBundle, "--format", "csv");
        Assert.Equal(0, code);
        string csv = Path.Combine(dirBundle, "records.csv");
        await File.WriteAllTextAsync(csv, (await File.ReadAllTextAsync(csv)).Replace("ct-to-pacs", "ct-to-evil", StringComparison.Ordinal));
        (code, output, _) = await RunAsync("audit", "verify-export", dirBundle);
        Assert.Equal(4, code);
        Assert.Contains("FAIL:", output, StringComparison.Ordinal);

        // Exports are audited, and the log still verifies afterwards.
        (code, output, _) = await RunAsync("audit", "search", "--dir", Log, "--event", "AuditLogUsed");
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        (code, _, _) = await RunAsync("audit", "verify", "--dir", Log);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task Prove_RecordAndConsistency_PrintVerifiedProofs()
    {
        (int code, string output, string error) = await RunAsync("audit", "prove", "--dir", Log, "--record", "3");
        Assert.True(code == 0, error);
        Assert.Contains("inclusion proof: record 3 in tree size 12", output, StringComparison.Ordinal);
        Assert.Contains("(matches the latest signed checkpoint)", output, StringComparison.Ordinal);
        Assert.Contains("verified: yes", output, StringComparison.Ordinal);

        (code, output, error) = await RunAsync("audit", "prove", "--dir", Log, "--from", "5", "--to", "12");
        Assert.True(code == 0, error);
        Assert.Contains("consistency proof: tree size 5 -> 12", output, StringComparison.Ordinal);
        Assert.Contains("verified: yes", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audit", "prove", "--record", "1", "--from", "1")]
    [InlineData("audit", "prove")]
    [InlineData("audit", "export")]
    [InlineData("audit", "search", "--format", "xml")]
    public async Task UsageErrors_ExitOne(params string[] args)
    {
        (int code, _, string error) = await RunAsync(args);

        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prove_RecordOutOfRange_ExitsTwo()
    {
        (int code, _, string error) = await RunAsync("audit", "prove", "--dir", Log, "--record", "99");

        Assert.Equal(2, code);
        Assert.Contains("not in a tree of 12", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateKey_NewKeyForNewRecords_AuditedAndTheLogStillVerifies()
    {
        (int code, string output, string error) = await RunAsync("audit", "rotate-key", "--dir", Log, "--operator", "officer");

        Assert.True(code == 0, error);
        Assert.Contains("new records are encrypted with data key", output, StringComparison.Ordinal);
        Assert.Contains("holds 2 key(s)", output, StringComparison.Ordinal);
        Assert.Equal(2, (await File.ReadAllLinesAsync(new AuditLogPaths(Log).DataKey)).Count(l => l.Length > 0));
        (code, output, _) = await RunAsync("audit", "search", "--dir", Log, "--event", "SecurityAlert", "--user", "officer", "--format", "jsonl");
        Assert.Equal(0, code);
        Assert.Contains("110129", output, StringComparison.Ordinal);
        (code, output, error) = await RunAsync("audit", "verify", "--dir", Log, "--decrypt");
        Assert.True(code == 0, output + error);
    }

    [Fact]
    public async Task RotateKey_WhileTheLogIsOpenByAWriter_ExitsTwo()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(Log));
        await using (log)
        {
            (int code, _, string error) = await RunAsync("audit", "rotate-key", "--dir", Log);

            Assert.Equal(2, code);
            Assert.Contains("in use by another writer", error, StringComparison.Ordinal);
        }

        Assert.Single(await File.ReadAllLinesAsync(new AuditLogPaths(Log).DataKey), l => l.Length > 0);
    }

    [Fact]
    public async Task PublicKey_PrintsTheVerifierKey()
    {
        (int code, string output, _) = await RunAsync("audit", "public-key", "--dir", Log);

        Assert.Equal(0, code);
        Assert.StartsWith("test.example/audit+", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await Gateway.Cli.Program.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
