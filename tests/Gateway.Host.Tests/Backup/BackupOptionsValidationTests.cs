using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Backup;
using Gateway.Host.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Tests.Backup;

/// <summary>
/// <c>Gateway:Backup</c> is checked at start (<see cref="BackupOptionsValidation"/>): a bad setting stops the gateway
/// with a line naming it, before anything is written to the repository; without a repository, backups are off.
/// </summary>
public sealed class BackupOptionsValidationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("Repository", "{data}/backups", "Gateway:Backup:Repository", "is inside the data directory")]
    [InlineData("Repository", "{temp}", "Gateway:Backup:Repository", "(or contains it)")]
    [InlineData("SnapshotInterval", "-1.00:00:00", "Gateway:Backup:SnapshotInterval must be", "00:00:01")]
    [InlineData("DrillInterval", "00:00:00.500", "Gateway:Backup:DrillInterval must be", "00:00:01")]
    [InlineData("Retention", "12:00:00", "Gateway:Backup:Retention must be", "1.00:00:00")]
    [InlineData("DrillSampleStudies", "0", "Gateway:Backup:DrillSampleStudies must be", "from 1")]
    [InlineData("RtoTarget", "00:00:00", "Gateway:Backup:RtoTarget must be", "positive")]
    [InlineData("KeyDirectory", "{temp}/no-escrow", "Gateway:Backup:KeyDirectory", "does not exist")]
    [InlineData("PublicKey", "{temp}/no-escrow.pub", "Gateway:Backup:PublicKey", "no public key")]
    [InlineData("ScratchDirectory", "{data}/scratch", "Gateway:Backup:ScratchDirectory", "may not be inside")]
    public async Task InvalidSetting_RefusesToStart_NamingTheSetting_AndCreatesNoRepository(string setting, string value, string named, string why)
    {
        string root = _temp.Sub("gateway");
        string data = Path.Combine(root, "data");
        Dictionary<string, string?> settings = BackupSite.Settings(_temp.Path, null);
        settings["Gateway:Backup:" + setting] = value.Replace("{data}", data, StringComparison.Ordinal).Replace("{temp}", _temp.Path, StringComparison.Ordinal);

        OptionsValidationException refused = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(root, settings));

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Contains(why, refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "repo", "snapshots")));
    }

    [Fact]
    public async Task ScheduleWithoutRepository_RefusesToStart()
    {
        string root = _temp.Sub("gateway");
        OptionsValidationException refused = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(root, new Dictionary<string, string?> { ["Gateway:Backup:SnapshotInterval"] = "1.00:00:00" }));

        Assert.Contains("SnapshotInterval and DrillInterval need Gateway:Backup:Repository", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoRepository_BackupsAreOff_ActionsSaySo_ArchiveVerificationStillWorks()
    {
        await using GatewayProcess gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"));
        GatewayBackups backups = gateway.Services.GetRequiredService<GatewayBackups>();

        Assert.False(backups.IsConfigured);
        BackupOperationResult<BackupSnapshotResult> snapshot = await backups.SnapshotNowAsync("alice");
        Assert.Equal(BackupOperationStatus.NotConfigured, snapshot.Status);
        Assert.Contains("Gateway:Backup:Repository", snapshot.Message, StringComparison.Ordinal);
        Assert.Equal(BackupOperationStatus.NotConfigured, (await backups.RunDrillAsync("alice")).Status);
        Assert.Equal(BackupOperationStatus.NotConfigured, (await backups.RestoreStudyAsync("1.2.3", null, "alice")).Status);
        Assert.Empty(await backups.ListSnapshotsAsync());
        Assert.Empty(await backups.ListDrillsAsync());
        Assert.Equal(BackupOperationStatus.Completed, (await backups.VerifyArchiveAsync("alice")).Status);
    }

    // Builds and starts a gateway; one that fails to start is disposed before the exception goes on.
    private static async Task StartAsync(string root, Dictionary<string, string?> settings)
    {
        (Dictionary<string, string?> all, _, _, _) = await GatewayProcess.PrepareAsync(root, settings, GatewayProcess.DefaultPolicy);
        WebApplication app = GatewayApplication.Build([], configuration => configuration.AddInMemoryCollection(all));
        try
        {
            await app.StartAsync();
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
