using Gateway.Archive.Index;
using Gateway.Archive.Outbox;
using Gateway.Archive.Rebuild;
using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

public sealed class IndexRebuildTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RebuildIndexAsync_AfterTheIndexIsDeleted_GivesTheSameStudiesSeriesInstancesAndBytes()
    {
        TestInstance[] instances = Instances();
        var conflict = instances[0] with { Seed = 99 };
        await StoreAsync(instances);
        await StoreAsync([conflict]);
        string before = await DescribeAsync();
        DeleteIndex();

        IndexRebuildReport report = await RebuildAsync();

        Assert.Equal(7, report.ObjectsScanned);
        Assert.Equal(6, report.InstancesIndexed);
        Assert.Equal(1, report.Conflicts);
        Assert.Equal(0, report.FailedObjects);
        Assert.Equal(_h.ObjectFiles().Sum(f => new FileInfo(f).Length), report.Bytes);
        Assert.False(File.Exists(Path.Combine(_h.DataDirectory, "archive", "index.db.rebuild")));
        Assert.Equal(before, await DescribeAsync());
        using ArchiveStore store = _h.Open();
        Assert.Empty(store.OpenReport.MissingObjects);
        Assert.Equal(0, store.OpenReport.OrphanObjectsRemoved);
        foreach (TestInstance i in instances)
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }

        ArchivedInstanceInfo copy = Assert.Single(await store.ListConflictsAsync(null, CancellationToken.None));
        Assert.Equal(conflict.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenByIdAsync(copy.Id, ArchivedContent.DataSet, CancellationToken.None)));
        Assert.Single(await store.FindStudiesAsync(new ArchiveStudyQuery { PatientId = "PID-0002" }, CancellationToken.None));
        Assert.Equal(0, await store.Outbox.GetDepthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RebuildIndexAsync_SameUidDifferentBytes_TheEarliestObjectFileIsTheIndexedInstance()
    {
        var first = new TestInstance { Seed = 1 };
        var second = first with { Seed = 2 };
        await StoreAsync([first]);
        await StoreAsync([second]);
        string firstFile = _h.ObjectFileOf(first.SopUid);
        string secondFile = _h.ObjectFileOf(first.SopUid, conflict: true);

        // The second-stored object is made the earlier one: the rebuild must follow the files' times, not names or order.
        File.SetLastWriteTimeUtc(secondFile, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(firstFile, new DateTime(2025, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        DeleteIndex();

        await RebuildAsync();

        using ArchiveStore store = _h.Open();
        Assert.Equal(second.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(first.SopUid, CancellationToken.None)));
        ArchivedInstanceInfo copy = Assert.Single(await store.ListConflictsAsync(first.SopUid, CancellationToken.None));
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero), copy.ReceivedAt);
        Assert.Equal(first.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenByIdAsync(copy.Id, ArchivedContent.DataSet, CancellationToken.None)));
    }

    [Fact]
    public async Task RebuildIndexAsync_AfterARotationRetiredTheOldKey_ReadsOldObjectsThroughTheJournal()
    {
        TestInstance[] old = [.. Enumerable.Range(1, 3).Select(i => new TestInstance { Seed = i })];
        var later = new TestInstance { Seed = 10 };
        await StoreAsync(old);
        using (ArchiveStore store = _h.Open())
        {
            Assert.Equal([1], (await store.RotateKeysAsync(CancellationToken.None)).RetiredVersions);
            await store.StoreAsync(later.Request(), later.Open(), CancellationToken.None);
        }

        Assert.False(File.Exists(Path.Combine(_h.KeyDirectory, "kek-1.key")));
        Assert.True(File.Exists(Path.Combine(_h.DataDirectory, "archive", "rewrap", "kek-2.journal")));
        DeleteIndex();

        IndexRebuildReport report = await RebuildAsync();

        Assert.Equal(4, report.InstancesIndexed);
        Assert.Equal(3, report.KeysFromJournal);
        Assert.Empty(report.Failures);
        using ArchiveStore reopened = _h.Open();
        foreach (TestInstance i in old.Append(later))
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task RebuildIndexAsync_WithoutTheJournal_ObjectsUnderARetiredKeyAreReportedNotIndexed()
    {
        TestInstance[] old = [.. Enumerable.Range(1, 2).Select(i => new TestInstance { Seed = i })];
        await StoreAsync(old);
        using (ArchiveStore store = _h.Open())
        {
            await store.RotateKeysAsync(CancellationToken.None);
        }

        Directory.Delete(Path.Combine(_h.DataDirectory, "archive", "rewrap"), recursive: true);
        DeleteIndex();

        IndexRebuildReport report = await RebuildAsync();

        Assert.Equal(0, report.InstancesIndexed);
        Assert.Equal(2, report.FailedObjects);
        Assert.All(report.Failures, f => Assert.Contains("key version 1 is not available", f.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RebuildIndexAsync_DamagedAndFormat1Objects_AreReportedAndSkipped_TheOthersIndexed()
    {
        TestInstance[] instances = Instances();
        var format1 = new TestInstance { Seed = 50 };
        await StoreAsync(instances);
        using (ArchiveStore v1 = _h.Open(o => o with { ObjectFormatVersion = 1 }))
        {
            await v1.StoreAsync(format1.Request(), format1.Open(), CancellationToken.None);
        }

        string altered = _h.ObjectFileOf(instances[1].SopUid);
        byte[] bytes = File.ReadAllBytes(altered);
        bytes[^30] ^= 0x04;
        File.WriteAllBytes(altered, bytes);
        string truncated = _h.ObjectFileOf(instances[2].SopUid);
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..60]);
        string v1File = _h.ObjectFileOf(format1.SopUid);
        DeleteIndex();

        IndexRebuildReport report = await RebuildAsync();

        Assert.Equal(7, report.ObjectsScanned);
        Assert.Equal(4, report.InstancesIndexed);
        Assert.Equal(3, report.FailedObjects);
        Assert.Equal(
            new[] { altered, truncated, v1File }.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal),
            report.Failures.Select(f => f.ObjectName).Order(StringComparer.Ordinal));
        Assert.Contains("authentication", report.Failures.Single(f => f.ObjectName == Path.GetFileNameWithoutExtension(altered)).Reason, StringComparison.Ordinal);
        Assert.Contains("format 1", report.Failures.Single(f => f.ObjectName == Path.GetFileNameWithoutExtension(v1File)).Reason, StringComparison.Ordinal);
        using ArchiveStore store = _h.Open(o => o with { CreateIfMissing = false });
        Assert.Null(await store.GetInstanceAsync(instances[1].SopUid, CancellationToken.None));
        Assert.Equal(instances[0].ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(instances[0].SopUid, CancellationToken.None)));
    }

    [Fact]
    public async Task Format1Objects_StoredByAnOlderVersion_StayReadableThroughTheirIndexRow()
    {
        var format1 = new TestInstance { Seed = 7, PixelBytes = 200_000 };
        using (ArchiveStore v1 = _h.Open(o => o with { ObjectFormatVersion = 1 }))
        {
            await v1.StoreAsync(format1.Request(), format1.Open(), CancellationToken.None);
        }

        Assert.Equal(40, File.ReadAllBytes(_h.ObjectFileOf(format1.SopUid))[7]);
        using ArchiveStore store = _h.Open();
        Assert.Equal(format1.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(format1.SopUid, CancellationToken.None)));
        var format2 = new TestInstance { Seed = 8 };
        await store.StoreAsync(format2.Request(), format2.Open(), CancellationToken.None);
        Assert.Equal(80, File.ReadAllBytes(_h.ObjectFileOf(format2.SopUid))[7]);
    }

    [Fact]
    public async Task RebuildIndexAsync_AnExistingIndex_IsRefusedUnlessForced()
    {
        TestInstance[] instances = Instances();
        await StoreAsync(instances);
        _h.Execute("PRAGMA foreign_keys=OFF; DELETE FROM instances WHERE sop_instance_uid = $p0", instances[3].SopUid);

        await Assert.ThrowsAsync<ArchiveIndexException>(() => RebuildAsync());
        Assert.Equal(5L, _h.Query("SELECT count(*) FROM instances"));

        IndexRebuildReport report = await RebuildAsync(new IndexRebuildOptions { Force = true });

        Assert.Equal(6, report.InstancesIndexed);
        Assert.Equal(6L, _h.Query("SELECT count(*) FROM instances"));
    }

    [Fact]
    public async Task RebuildIndexAsync_WithRequeue_QueuesEveryInstanceButConflictCopies()
    {
        TestInstance[] instances = Instances();
        await StoreAsync(instances);
        await StoreAsync([instances[0] with { Seed = 77 }]);
        DeleteIndex();

        IndexRebuildReport report = await RebuildAsync(new IndexRebuildOptions { RequeueDestinations = ["PACS"] });

        Assert.Equal(6, report.Requeued);
        using ArchiveStore store = _h.Open();
        IReadOnlyList<OutboxItem> items = await store.Outbox.ListAsync(new OutboxQuery { Destination = "PACS", Limit = 100 }, CancellationToken.None);
        Assert.Equal(instances.Select(i => i.SopUid).Order(StringComparer.Ordinal), items.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RebuildIndexAsync_BeforePublishFails_NothingIsReplaced()
    {
        await StoreAsync(Instances());
        DeleteIndex();

        await Assert.ThrowsAsync<InvalidOperationException>(() => RebuildAsync(new IndexRebuildOptions { BeforePublish = (_, _) => throw new InvalidOperationException("audit refused") }));

        Assert.False(File.Exists(Path.Combine(_h.DataDirectory, "archive", "index.db")));
        Assert.False(File.Exists(Path.Combine(_h.DataDirectory, "archive", "index.db.rebuild")));
        Assert.Equal(6, _h.ObjectFiles().Count);
    }

    [Fact]
    public async Task Open_MissingIndexBesideObjects_RefusesInsteadOfRemovingThemAsOrphans()
    {
        await StoreAsync(Instances());
        DeleteIndex();

        ArchiveIndexException ex = Assert.Throws<ArchiveIndexException>(() => _h.Open());

        Assert.Contains("rebuild-index", ex.Message, StringComparison.Ordinal);
        Assert.Equal(6, _h.ObjectFiles().Count);
        Assert.True(File.Exists(Path.Combine(_h.KeyDirectory, "kek-1.key")));
    }

    private static TestInstance[] Instances()
    {
        string studyA = TestUids.New();
        string studyB = TestUids.New();
        string seriesA1 = TestUids.New();
        string seriesA2 = TestUids.New();
        string seriesB = TestUids.New();
        return
        [
            new TestInstance { StudyUid = studyA, SeriesUid = seriesA1, InstanceNumber = 1, Seed = 1 },
            new TestInstance { StudyUid = studyA, SeriesUid = seriesA1, InstanceNumber = 2, Seed = 2, PixelBytes = 150_000 },
            new TestInstance { StudyUid = studyA, SeriesUid = seriesA2, SeriesNumber = 2, Modality = "MR", Seed = 3 },
            new TestInstance { StudyUid = studyB, SeriesUid = seriesB, PatientId = "PID-0002", PatientName = "ROE^JANE", Seed = 4 },
            new TestInstance { StudyUid = studyB, SeriesUid = seriesB, PatientId = "PID-0002", PatientName = "ROE^JANE", InstanceNumber = 2, Seed = 5 },
            new TestInstance { StudyUid = studyB, SeriesUid = seriesB, PatientId = "PID-0002", PatientName = "ROE^JANE", InstanceNumber = 3, Seed = 6 },
        ];
    }

    private async Task StoreAsync(IEnumerable<TestInstance> instances)
    {
        using ArchiveStore store = _h.Open();
        foreach (TestInstance i in instances)
        {
            await store.StoreAsync(i.Request(), i.Open(), CancellationToken.None);
        }
    }

    private void DeleteIndex()
    {
        foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(Path.Combine(_h.DataDirectory, "archive", "index.db" + suffix));
        }
    }

    private Task<IndexRebuildReport> RebuildAsync(IndexRebuildOptions? options = null) =>
        ArchiveAdmin.RebuildIndexAsync(_h.Options(), options ?? new IndexRebuildOptions(), null, _h.Time, _h.Logger);

    // Everything the views show except row ids and receipt times (a rebuild takes those from the object files).
    private async Task<string> DescribeAsync()
    {
        using ArchiveStore store = _h.Open(o => o with { CreateIfMissing = false });
        var lines = new List<string>();
        foreach (ArchivedStudy study in (await store.FindStudiesAsync(new ArchiveStudyQuery(), CancellationToken.None)).OrderBy(s => s.StudyInstanceUid, StringComparer.Ordinal))
        {
            lines.Add($"study {study.StudyInstanceUid} {study.StudyDate} {study.Attributes} [{string.Join(",", study.ModalitiesInStudy)}] {study.SeriesCount} {study.InstanceCount}");
            foreach (ArchivedSeries series in await store.ListSeriesAsync(study.StudyInstanceUid, false, CancellationToken.None))
            {
                lines.Add($"  series {series with { }}");
                foreach (ArchivedInstanceInfo i in await store.ListInstancesAsync(series.SeriesInstanceUid, false, CancellationToken.None))
                {
                    lines.Add($"    instance {i with { Id = 0, ReceivedAt = default }}");
                }
            }
        }

        foreach (ArchivedInstanceInfo c in await store.ListConflictsAsync(null, CancellationToken.None))
        {
            lines.Add($"conflict {c with { Id = 0, ReceivedAt = default }}");
        }

        return string.Join('\n', lines);
    }
}
