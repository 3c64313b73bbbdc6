using System.Text;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Prefetch;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests.Prefetch;

public sealed class PrefetchLedgerTests : IDisposable
{
    private const string Study = "2.25.31415926535897932384626433832795.1.1";
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    private readonly TempDirectory _temp = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => _temp.Dispose();

    private string LedgerDirectory => Path.Combine(_temp.Path, "prefetch");

    private string LedgerFile => Path.Combine(LedgerDirectory, "ledger");

    [Fact]
    public void Remember_ThenContains_ForThatDeviceOnly_AndAfterReopening()
    {
        using (PrefetchLedger ledger = PrefetchLedger.Open(LedgerDirectory, Month, _clock))
        {
            Assert.False(ledger.Contains("REVIEW1", Study));
            ledger.Remember("REVIEW1", Study);

            Assert.True(ledger.Contains("REVIEW1", Study));
            Assert.False(ledger.Contains("REVIEW2", Study));
            Assert.False(ledger.Contains("REVIEW1", Study + ".1"));
        }

        using PrefetchLedger reopened = PrefetchLedger.Open(LedgerDirectory, Month, _clock);
        Assert.True(reopened.Contains("REVIEW1", Study));
        Assert.Equal(1, reopened.Count);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Remember_TheFilesHoldNoUidAndAreOwnerOnly()
    {
        using (PrefetchLedger ledger = PrefetchLedger.Open(LedgerDirectory, Month, _clock))
        {
            ledger.Remember("REVIEW1", Study);
        }

        string text = File.ReadAllText(LedgerFile);
        Assert.DoesNotContain(Study, text, StringComparison.Ordinal);
        Assert.DoesNotContain("REVIEW1", text, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{64} [0-9]+\n$", text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LedgerFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(LedgerDirectory, "ledger.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(LedgerDirectory));
    }

    [Fact]
    public void Contains_AfterTheRememberingTime_False_AndTheEntryIsDroppedAtOpen()
    {
        using (PrefetchLedger ledger = PrefetchLedger.Open(LedgerDirectory, Month, _clock))
        {
            ledger.Remember("REVIEW1", Study);
            _clock.Advance(Month + TimeSpan.FromSeconds(1));
            Assert.False(ledger.Contains("REVIEW1", Study));
        }

        using PrefetchLedger reopened = PrefetchLedger.Open(LedgerDirectory, Month, _clock);
        Assert.Equal(0, reopened.Count);
        Assert.Equal(string.Empty, File.ReadAllText(LedgerFile));
    }

    [Fact]
    public void Open_TornTailGarbageAndOverlongLines_AreSkippedAndTheFileRepaired()
    {
        using (PrefetchLedger ledger = PrefetchLedger.Open(LedgerDirectory, Month, _clock))
        {
            ledger.Remember("REVIEW1", Study);
        }

        string good = File.ReadAllText(LedgerFile);
        File.AppendAllText(LedgerFile, "not a ledger line\n" + new string('a', 10_000) + "\n" + good.ToUpperInvariant() + good[..40], Encoding.ASCII);

        using PrefetchLedger reopened = PrefetchLedger.Open(LedgerDirectory, Month, _clock);

        Assert.True(reopened.Contains("REVIEW1", Study));
        Assert.Equal(1, reopened.Count);
        Assert.Equal(good, File.ReadAllText(LedgerFile));
    }

    [Fact]
    public void Open_DamagedKey_Throws()
    {
        using (PrefetchLedger.Open(LedgerDirectory, Month, _clock))
        {
        }

        File.WriteAllText(Path.Combine(LedgerDirectory, "ledger.key"), "short\n");

        Assert.Throws<IOException>(() => PrefetchLedger.Open(LedgerDirectory, Month, _clock));
    }

    [Fact]
    public void Open_KeyLost_StartsAfreshRatherThanTrustingHashesItCannotCheck()
    {
        using (PrefetchLedger ledger = PrefetchLedger.Open(LedgerDirectory, Month, _clock))
        {
            ledger.Remember("REVIEW1", Study);
        }

        File.Delete(Path.Combine(LedgerDirectory, "ledger.key"));

        using PrefetchLedger reopened = PrefetchLedger.Open(LedgerDirectory, Month, _clock);
        Assert.Equal(0, reopened.Count);
        Assert.False(reopened.Contains("REVIEW1", Study));
    }
}
