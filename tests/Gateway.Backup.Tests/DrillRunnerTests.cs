using System.Security.Cryptography;
using Gateway.Archive;
using Gateway.Archive.Tests.Support;
using Gateway.Backup.Drill;
using Gateway.Dicom;
using Gateway.Backup.Storage;
using Gateway.Backup.Tests.Support;

namespace Gateway.Backup.Tests;

public sealed class DrillRunnerTests
{
    [Fact]
    public async Task Drill_AfterRansomware_RestoresServesAndRetrievesEverySampledStudy_AndSignsItsReport()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(6, studies: 3);
        SnapshotResult s = await h.SnapshotAsync();
        foreach (string victim in h.ObjectFiles().Where((_, i) => i % 3 == 0))
        {
            File.WriteAllBytes(victim, RandomNumberGenerator.GetBytes((int)new FileInfo(victim).Length));
        }

        long auditBefore = h.Audit!.Size;
        DrillReport report = await DrillRunner.RunAsync(h.Repository(), Options(h), h.Audit, null, null, CancellationToken.None);

        Assert.True(report.Passed, string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => c.Name + ": " + c.Detail)));
        Assert.Equal(s.Manifest.Id, report.SnapshotId);
        Assert.Equal(3, report.Sample.Count);
        Assert.Equal(3, report.Checks.Count(c => c.Name.StartsWith("study ", StringComparison.Ordinal)));
        Assert.True(report.Rto > TimeSpan.Zero);
        Assert.Equal(auditBefore + 1, h.Audit.Size);
        (string id, DrillReport? stored, string? problem) = Assert.Single(DrillRunner.History(h.Repository(), h.Verifier()));
        Assert.Null(problem);
        Assert.Equal(report.Id, id);
        Assert.True(stored!.Passed);
        Assert.Empty(Directory.GetDirectories(h.Scratch("scratch")));
    }

    [Fact]
    public async Task Drill_OfAStudyStoredInExplicitAndImplicitVr_GetsEachInstanceBackAsStored()
    {
        // Regression: one presentation context per storage class let the restored gateway send the Implicit VR instance
        // converted to Explicit VR, which then differed from the archive's bytes and failed the drill.
        await using BackupHarness h = await new BackupHarness().PopulateAsync(0, studies: 1);
        string study = TestUids.New();
        await using (ArchiveStore store = ArchiveStore.Open(h.ArchiveOptions()))
        {
            var explicitVr = new TestInstance { StudyUid = study, InstanceNumber = 1, PixelBytes = 4000, Seed = 1 };
            var implicitVr = new TestInstance { StudyUid = study, InstanceNumber = 2, PixelBytes = 4000, Seed = 2 };
            await store.StoreAsync(explicitVr.Request(), explicitVr.Open(), CancellationToken.None);
            await store.StoreAsync(
                implicitVr.Request() with { TransferSyntax = DicomTransferSyntax.ImplicitVRLittleEndian },
                implicitVr.Open(DicomTransferSyntax.ImplicitVRLittleEndian),
                CancellationToken.None);
        }

        await h.SnapshotAsync();
        DrillReport report = await DrillRunner.RunAsync(h.Repository(), Options(h), h.Audit!, null, null, CancellationToken.None);

        Assert.True(report.Passed, string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => c.Name + ": " + c.Detail)));
        Assert.Contains(report.Checks, c => c.Name == "study " + study && c.Detail.Contains("2 received, 2 identical", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Drill_OfTamperedSnapshot_FailsAndItsReportSaysWhy()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(2);
        SnapshotResult s = await h.SnapshotAsync();
        string blob = h.Repository().BlobPath(s.Manifest.Files.First(f => f.Path.StartsWith("archive/objects/", StringComparison.Ordinal)).Sha256);
        ImmutableFiles.Unseal(blob);
        File.WriteAllBytes(blob, RandomNumberGenerator.GetBytes((int)new FileInfo(blob).Length));

        DrillReport report = await DrillRunner.RunAsync(h.Repository(), Options(h), h.Audit!, null, null, CancellationToken.None);

        Assert.False(report.Passed);
        DrillCheck restore = report.Checks.Single(c => c.Name == "restore verified");
        Assert.False(restore.Passed);
        Assert.Contains("altered", restore.Detail, StringComparison.Ordinal);
        Assert.False(report.Checks.Single(c => c.Name == "RTO within target").Passed);
    }

    [Fact]
    public async Task History_OfAlteredReport_IsFlagged()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(1);
        await h.SnapshotAsync();
        DrillReport report = await DrillRunner.RunAsync(h.Repository(), Options(h), h.Audit!, null, null, CancellationToken.None);
        string json = Path.Combine(h.RepositoryDirectory, "drills", report.Id, "report.json");
        ImmutableFiles.Unseal(Path.GetDirectoryName(json)!);
        ImmutableFiles.Unseal(json);
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"passed\": true", "\"passed\": false", StringComparison.Ordinal));

        (_, DrillReport? stored, string? problem) = Assert.Single(DrillRunner.History(h.Repository(), h.Verifier()));

        Assert.Null(stored);
        Assert.NotNull(problem);
    }

    private static DrillOptions Options(BackupHarness h)
    {
        Directory.CreateDirectory(h.Scratch("scratch"));
        return new DrillOptions
        {
            DataDirectory = h.DataDirectory,
            Verifier = h.Verifier(),
            ScratchDirectory = h.Scratch("scratch"),
            KeyDirectory = h.KeyDirectory,
            SourceId = "test",
        };
    }
}
