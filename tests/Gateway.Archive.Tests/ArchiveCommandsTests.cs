using Gateway.Archive.Outbox;
using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

/// <summary>
/// <c>gatewayctl keys rotate|status</c> and <c>gatewayctl queue list|retry</c> on a data directory. In the serial collection:
/// the commands read the key secrets from process environment variables, which another test sets.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ArchiveCommandsTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task KeysStatus_FreshArchive_ShowsVersionOneInUseAndExitsZero()
    {
        await FillAsync(3);

        (int code, string stdout, _) = await RunAsync("keys", "status", "--data", _h.DataDirectory);

        Assert.Equal(0, code);
        Assert.Contains("source: files", stdout, StringComparison.Ordinal);
        Assert.Contains("key directory mode: 0700", stdout, StringComparison.Ordinal);
        Assert.Contains("current version: 1", stdout, StringComparison.Ordinal);
        Assert.Contains("version 1: key file 0600, 3 data key(s) and the attribute key", stdout, StringComparison.Ordinal);
        Assert.Contains("index key: present", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysRotate_ThenStatus_OnlyTheNewVersionRemainsAndObjectsStayReadable()
    {
        TestInstance[] stored = await FillAsync(4);

        (int code, string stdout, string stderr) = await RunAsync("keys", "rotate", "--data", _h.DataDirectory);

        Assert.True(code == 0, stderr);
        Assert.Contains("key version 2 (new); 5 key(s) re-wrapped", stdout, StringComparison.Ordinal);
        Assert.Contains("retired: key version(s) 1", stdout, StringComparison.Ordinal);
        (int statusCode, string status, _) = await RunAsync("keys", "status", "--data", _h.DataDirectory);
        Assert.Equal(0, statusCode);
        Assert.Contains("version 2: key file 0600, 4 data key(s) and the attribute key", status, StringComparison.Ordinal);
        Assert.DoesNotContain("version 1", status, StringComparison.Ordinal);
        using ArchiveStore store = _h.Open();
        foreach (TestInstance i in stored)
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task KeysRotate_WhileTheArchiveIsOpen_RefusedWithExitFive()
    {
        await FillAsync(1);
        using ArchiveStore running = _h.Open();

        (int code, _, string stderr) = await RunAsync("keys", "rotate", "--data", _h.DataDirectory);

        Assert.Equal(5, code);
        Assert.Contains("gateway running", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_h.KeyDirectory, "kek-2.key")));
    }

    [Fact]
    public async Task KeysStatus_KeyFileMissing_ExitsFourAndSaysSo()
    {
        await FillAsync(1);
        File.Delete(Path.Combine(_h.KeyDirectory, "kek-1.key"));

        (int code, string stdout, _) = await RunAsync("keys", "status", "--data", _h.DataDirectory);

        Assert.Equal(4, code);
        Assert.Contains("version 1: NOT AVAILABLE, 1 data key(s)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_NoArchiveThere_ExitTwo()
    {
        string nowhere = Path.Combine(_h.DataDirectory, "nothing");

        Assert.Equal(2, (await RunAsync("keys", "status", "--data", nowhere)).Code);
        Assert.Equal(2, (await RunAsync("queue", "list", "--data", nowhere)).Code);
        Assert.Equal(2, (await RunAsync("keys", "rotate", "--data", nowhere)).Code);
        Assert.False(Directory.Exists(Path.Combine(nowhere, "keys")));
    }

    [Fact]
    public async Task QueueList_ShowsCountsPerDestinationAndTheUndeliveredItems()
    {
        TestInstance[] stored = await FillAsync(3, "PACS", "AI");
        using (ArchiveStore store = _h.Open())
        {
            OutboxLease lease = (await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None))!;
            await store.Outbox.MarkDeliveredAsync(lease, CancellationToken.None);
            lease = (await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None))!;
            await store.Outbox.DeadLetterAsync(lease, "peer refused\u001b[2J", CancellationToken.None);
        }

        (int code, string stdout, _) = await RunAsync("queue", "list", "--data", _h.DataDirectory, "--errors");

        Assert.Equal(0, code);
        Assert.Matches(@"PACS\s+1\s+0\s+0\s+1\s+1", stdout);
        Assert.Matches(@"AI\s+3\s+0\s+0\s+0\s+0", stdout);
        Assert.Contains("5 item(s)", stdout, StringComparison.Ordinal);
        Assert.Contains(" dead ", stdout, StringComparison.Ordinal);
        Assert.Contains("last error: peer refused\\x1b[2J", stdout, StringComparison.Ordinal);
        Assert.Contains(stored[1].SopUid, stdout, StringComparison.Ordinal);

        (_, string pacsOnly, _) = await RunAsync("queue", "list", "--data", _h.DataDirectory, "--destination", "PACS", "--state", "dead");
        Assert.Contains("1 item(s)", pacsOnly, StringComparison.Ordinal);
        Assert.DoesNotContain("last error", pacsOnly, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueRetry_AllDeadAndById_BeMadeDueAgain_EvenBesideARunningGateway()
    {
        await FillAsync(3, "PACS");
        using ArchiveStore store = _h.Open();
        var ids = new List<long>();
        for (int i = 0; i < 3; i++)
        {
            OutboxLease lease = (await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None))!;
            await store.Outbox.DeadLetterAsync(lease, null, CancellationToken.None);
            ids.Add(lease.Id);
        }

        (int one, string oneOut, _) = await RunAsync("queue", "retry", "--data", _h.DataDirectory, "--id", ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, one);
        Assert.Contains("retried: 1 item(s)", oneOut, StringComparison.Ordinal);

        // The command runs on the system clock; the store here on the test's clock.
        _h.Time.Now = DateTimeOffset.UtcNow.AddSeconds(1);
        OutboxLease? first = await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(ids[0], first?.Id);

        (int wrongDestination, _, _) = await RunAsync("queue", "retry", "--data", _h.DataDirectory, "--all-dead", "--destination", "AI");
        Assert.Equal(0, wrongDestination);
        Assert.Null(await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None));

        (int all, string allOut, _) = await RunAsync("queue", "retry", "--data", _h.DataDirectory, "--all-dead", "--destination", "PACS");
        Assert.Equal(0, all);
        Assert.Contains("retried: 2 item(s)", allOut, StringComparison.Ordinal);
        _h.Time.Now = DateTimeOffset.UtcNow.AddSeconds(1);
        Assert.NotNull(await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public async Task QueueRetry_UnknownId_ExitsTwo_AndNeitherOrBoth_IsAUsageError()
    {
        await FillAsync(1, "PACS");

        Assert.Equal(2, (await RunAsync("queue", "retry", "--data", _h.DataDirectory, "--id", "999")).Code);
        Assert.Equal(1, (await RunAsync("queue", "retry", "--data", _h.DataDirectory)).Code);
        Assert.Equal(1, (await RunAsync("queue", "retry", "--data", _h.DataDirectory, "--id", "1", "--all-dead")).Code);
        Assert.Equal(1, (await RunAsync("queue", "list", "--data", _h.DataDirectory, "--state", "bogus")).Code);
    }

    private async Task<TestInstance[]> FillAsync(int count, params string[] destinations)
    {
        using ArchiveStore store = _h.Open();
        var list = new List<TestInstance>();
        for (int i = 0; i < count; i++)
        {
            var instance = new TestInstance { Seed = i };
            await store.StoreAsync(instance.Request(destinations), instance.Open(), CancellationToken.None);
            list.Add(instance);
        }

        return [.. list];
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await Gateway.Cli.Program.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
