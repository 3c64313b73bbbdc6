using Gateway.Host.Archive;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests.Archive;

public sealed class LiveTrafficTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void IsQuiet_NothingHappened_True()
    {
        var traffic = new LiveTraffic(_clock);

        Assert.True(traffic.IsQuiet());
        Assert.True(traffic.IsQuiet("REVIEW1"));
    }

    [Fact]
    public void IsQuiet_StoreInFlightThenEnded_QuietOnlyAfterTheQuietPeriod()
    {
        var traffic = new LiveTraffic(_clock);

        IDisposable store = traffic.BeginStore();
        bool during = traffic.IsQuiet();
        _clock.Advance(TimeSpan.FromMinutes(5));
        bool longStore = traffic.IsQuiet();
        store.Dispose();
        bool justEnded = traffic.IsQuiet();
        _clock.Advance(LiveTraffic.QuietPeriod - TimeSpan.FromMilliseconds(1));
        bool almost = traffic.IsQuiet();
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(during);
        Assert.False(longStore);
        Assert.False(justEnded);
        Assert.False(almost);
        Assert.True(traffic.IsQuiet());
    }

    [Fact]
    public void BeginStore_ScopeDisposedTwice_CountsOnce()
    {
        var traffic = new LiveTraffic(_clock);
        IDisposable first = traffic.BeginStore();
        IDisposable second = traffic.BeginStore();

        first.Dispose();
        first.Dispose();

        Assert.Equal(1, traffic.StoresInFlight);
        second.Dispose();
        Assert.Equal(0, traffic.StoresInFlight);
    }

    [Fact]
    public void SetPushLaneBusy_OnlyThatDeviceIsBusy()
    {
        var traffic = new LiveTraffic(_clock);

        traffic.SetPushLaneBusy("REVIEW1", busy: true);

        Assert.False(traffic.IsQuiet("REVIEW1"));
        Assert.True(traffic.IsQuiet("REVIEW2"));
        Assert.True(traffic.IsQuiet());
        traffic.SetPushLaneBusy("REVIEW1", busy: false);
        Assert.True(traffic.IsQuiet("REVIEW1"));
    }

    [Fact]
    public async Task WaitUntilQuietAsync_StillBusyAfterAtMost_ReturnsFalse()
    {
        var traffic = new LiveTraffic(_clock);
        using IDisposable store = traffic.BeginStore();

        Task<bool> wait = traffic.WaitUntilQuietAsync(null, TimeSpan.FromSeconds(20), CancellationToken.None);
        await Task.Delay(200);
        bool completedEarly = wait.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(21));

        Assert.False(completedEarly);
        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitUntilQuietAsync_StoreEnds_ReturnsTrueOnceQuiet()
    {
        var traffic = new LiveTraffic(_clock);
        IDisposable store = traffic.BeginStore();

        Task<bool> wait = traffic.WaitUntilQuietAsync(null, Timeout.InfiniteTimeSpan, CancellationToken.None);
        await Task.Delay(200);
        bool completedEarly = wait.IsCompleted;
        store.Dispose();
        _clock.Advance(LiveTraffic.QuietPeriod);

        Assert.False(completedEarly);
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitUntilQuietAsync_Cancelled_Throws()
    {
        var traffic = new LiveTraffic(_clock);
        using IDisposable store = traffic.BeginStore();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => traffic.WaitUntilQuietAsync(null, Timeout.InfiniteTimeSpan, cancel.Token));
    }
}
