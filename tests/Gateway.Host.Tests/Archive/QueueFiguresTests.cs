using Gateway.Archive;
using Gateway.Archive.Tests.Support;
using Gateway.Host.Archive;
using Gateway.Host.Configuration;
using Gateway.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ArchiveInstance = Gateway.Archive.Tests.Support.TestInstance;

namespace Gateway.Host.Tests.Archive;

/// <summary>Queue figures computed from a real archive's outbox on a clock the test moves.</summary>
public sealed class QueueFiguresTests : IDisposable
{
    private const int UtilisationHigh = 2321;
    private const int UtilisationNormal = 2322;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly Gateway.Dicom.Network.Interop.Tests.Support.TempDirectory _temp = new();
    private readonly ManualTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RecordingLogger<QueueFigures> _logger = new();
    private readonly ArchiveStore _archive;

    public QueueFiguresTests()
    {
        _archive = ArchiveStore.Open(new ArchiveOptions { DataDirectory = _temp.Sub("data"), MinimumFreeBytes = 0 }, _time);
    }

    public void Dispose()
    {
        _archive.Dispose();
        _services.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Refresh_ArrivalsAsFastAsService_GivesLambdaMuRhoAndWarnsOncePerCrossing()
    {
        QueueFigures figures = Figures(TimeSpan.FromSeconds(10));

        // 10 items in the last 10 s (λ = 1/s); 4 delivered, each taking 1 s of service (μ = 1/s): ρ = 1.
        for (int i = 0; i < 10; i++)
        {
            await StoreAsync("PACS");
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        await DeliverAsync("PACS", 4, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        await figures.RefreshAsync(CancellationToken.None);
        await figures.RefreshAsync(CancellationToken.None);

        DestinationFigures pacs = Assert.Single(figures.Latest, f => f.Destination == "PACS");
        Assert.Equal(1.0, pacs.ArrivalRate, 3);
        Assert.Equal(1.0, pacs.ServiceRate!.Value, 3);
        Assert.Equal(1.0, pacs.Utilisation!.Value, 3);
        Assert.Equal(double.PositiveInfinity, pacs.PredictedWaitSeconds!.Value);
        Assert.Equal(6, pacs.Depth);
        Assert.Equal(1, _logger.Count(UtilisationHigh));
        Assert.Contains(_logger.Entries, e => e.EventId == UtilisationHigh && e.Level == LogLevel.Warning && e.Message.Contains("PACS", StringComparison.Ordinal));

        // Quiet for a while, the rest delivered fast: ρ falls to 0, one notice; a new burst crosses again, one more warning.
        _time.Advance(TimeSpan.FromMinutes(1));
        await DeliverAsync("PACS", 6, TimeSpan.FromMilliseconds(100));
        await figures.RefreshAsync(CancellationToken.None);
        await figures.RefreshAsync(CancellationToken.None);
        Assert.Equal(0.0, figures.Latest.Single(f => f.Destination == "PACS").Utilisation!.Value);
        Assert.Equal(1, _logger.Count(UtilisationNormal));

        _time.Advance(TimeSpan.FromMinutes(1));
        for (int i = 0; i < 10; i++)
        {
            await StoreAsync("PACS");
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        await DeliverAsync("PACS", 2, TimeSpan.FromSeconds(2));
        await figures.RefreshAsync(CancellationToken.None);
        await figures.RefreshAsync(CancellationToken.None);
        Assert.Equal(2, _logger.Count(UtilisationHigh));
    }

    [Fact]
    public async Task Refresh_LightLoad_PredictedWaitIsOneOverMuMinusLambda_DeadLettersCounted_ConfiguredButIdleDestinationShown()
    {
        QueueFigures figures = Figures(TimeSpan.FromSeconds(100), "PACS", "AI");

        // 5 items in 100 s (λ = 0.05/s), each served in 0.5 s (μ = 2/s): W = 1/(2 − 0.05) s; a sixth is dead-lettered.
        for (int i = 0; i < 5; i++)
        {
            await StoreAsync("PACS");
        }

        await DeliverAsync("PACS", 5, TimeSpan.FromMilliseconds(500));
        _time.Advance(TimeSpan.FromSeconds(50));
        await StoreAsync("LEGACY");
        Gateway.Archive.Outbox.OutboxLease dead = (await _archive.Outbox.LeaseAsync("LEGACY", Lease, CancellationToken.None))!;
        await _archive.Outbox.DeadLetterAsync(dead, "refused", CancellationToken.None);
        await figures.RefreshAsync(CancellationToken.None);

        DestinationFigures pacs = figures.Latest.Single(f => f.Destination == "PACS");
        Assert.Equal(0.05, pacs.ArrivalRate, 6);
        Assert.Equal(2.0, pacs.ServiceRate!.Value, 6);
        Assert.Equal(0.025, pacs.Utilisation!.Value, 6);
        // TimeSpan holds 100 ns ticks.
        Assert.Equal(1 / (2.0 - 0.05), pacs.PredictedWaitSeconds!.Value, 5);
        Assert.Equal(0, pacs.Depth);
        Assert.Equal(1, figures.Latest.Single(f => f.Destination == "LEGACY").DeadLetters);
        DestinationFigures idle = figures.Latest.Single(f => f.Destination == "AI");
        Assert.Equal(0.0, idle.ArrivalRate);
        Assert.Null(idle.ServiceRate);
        Assert.Null(idle.Utilisation);
        Assert.Null(idle.PredictedWaitSeconds);
        Assert.Equal(0, _logger.Count(UtilisationHigh));
    }

    private QueueFigures Figures(TimeSpan window, params string[] configured) => new(
        _archive,
        () => configured,
        Options.Create(new QueueMetricsOptions { Window = window }),
        _time,
        _logger,
        _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private async Task StoreAsync(string destination)
    {
        var instance = new ArchiveInstance { PixelBytes = 16 };
        await _archive.StoreAsync(instance.Request(destination), instance.Open(), CancellationToken.None);
    }

    private async Task DeliverAsync(string destination, int count, TimeSpan serviceTime)
    {
        for (int i = 0; i < count; i++)
        {
            Gateway.Archive.Outbox.OutboxLease lease = (await _archive.Outbox.LeaseAsync(destination, Lease, CancellationToken.None))!;
            _time.Advance(serviceTime);
            Assert.True(await _archive.Outbox.MarkDeliveredAsync(lease, CancellationToken.None));
        }
    }
}
