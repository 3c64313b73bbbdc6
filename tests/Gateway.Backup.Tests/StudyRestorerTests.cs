using Gateway.Archive;
using Gateway.Archive.Tests.Support;
using Gateway.Backup.Tests.Support;

namespace Gateway.Backup.Tests;

public sealed class StudyRestorerTests
{
    [Fact]
    public async Task RestoreStudy_IntoAnotherArchive_StoresEveryInstanceOfThatStudyOnly_AndIntoTheSameArchive_FindsDuplicates()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(6, studies: 2);
        SnapshotResult s = await h.SnapshotAsync();
        string study = h.Instances[0].StudyUid;
        TestInstance[] expected = [.. h.Instances.Where(i => i.StudyUid == study)];
        long auditBefore = h.Audit!.Size;

        StudyRestoreResult result;
        await using (ArchiveStore other = ArchiveStore.Open(h.ArchiveOptions(h.Scratch("other"))))
        {
            result = await StudyRestorer.RestoreStudyAsync(h.Repository(), Request(h, s, study), other, h.Audit, null, CancellationToken.None);
            foreach (TestInstance instance in expected)
            {
                Assert.Equal(instance.ToArray(), await BackupHarness.ReadAllAsync(await other.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
            }

            Assert.All(h.Instances.Where(i => i.StudyUid != study), i => Assert.Null(other.GetInstanceAsync(i.SopUid, CancellationToken.None).Result));
        }

        Assert.Equal(new StudyRestoreResult(expected.Length, expected.Length, 0, 0), result);
        Assert.Equal(auditBefore + 1, h.Audit.Size);
        await using ArchiveStore live = ArchiveStore.Open(h.ArchiveOptions());
        Assert.Equal(expected.Length, (await StudyRestorer.RestoreStudyAsync(h.Repository(), Request(h, s, study), live, h.Audit, null, CancellationToken.None)).Duplicates);
    }

    [Fact]
    public async Task RestoreStudy_WhoseObjectsRetentionPurged_CountsThemAsStored_NotAsAlreadyPresent()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(4, studies: 2);
        SnapshotResult s = await h.SnapshotAsync();
        string study = h.Instances[0].StudyUid;
        TestInstance[] expected = [.. h.Instances.Where(i => i.StudyUid == study)];
        await using ArchiveStore live = ArchiveStore.Open(h.ArchiveOptions() with { ObjectRetention = TimeSpan.Zero, PurgeUnforwarded = true });
        await Task.Delay(20);
        Assert.Equal(4, (await live.PurgeAsync(CancellationToken.None)).ObjectsPurged);

        StudyRestoreResult result = await StudyRestorer.RestoreStudyAsync(h.Repository(), Request(h, s, study), live, h.Audit!, null, CancellationToken.None);

        // The archive answers Duplicate (same bytes as the purged row), yet the object is back: restored, not already present.
        Assert.Equal(new StudyRestoreResult(expected.Length, expected.Length, 0, 0), result);
        foreach (TestInstance instance in expected)
        {
            Assert.Equal(instance.ToArray(), await BackupHarness.ReadAllAsync(await live.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task RestoreStudy_OfUnknownStudy_FailsClearly()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(1);
        SnapshotResult s = await h.SnapshotAsync();
        await using ArchiveStore live = ArchiveStore.Open(h.ArchiveOptions());

        BackupException ex = await Assert.ThrowsAsync<BackupException>(() =>
            StudyRestorer.RestoreStudyAsync(h.Repository(), Request(h, s, "1.2.3.4"), live, h.Audit!, null, CancellationToken.None));

        Assert.Contains("holds no object of study 1.2.3.4", ex.Message, StringComparison.Ordinal);
    }

    private static StudyRestoreRequest Request(BackupHarness h, SnapshotResult s, string study)
    {
        Directory.CreateDirectory(h.Scratch("scratch"));
        return new StudyRestoreRequest
        {
            SnapshotId = s.Manifest.Id,
            Verifier = h.Verifier(),
            StudyInstanceUid = study,
            ScratchDirectory = h.Scratch("scratch"),
            KeyDirectory = h.KeyDirectory,
            SourceId = "test",
        };
    }
}
