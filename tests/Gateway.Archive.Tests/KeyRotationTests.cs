using System.Security.Cryptography;
using Gateway.Archive.Keys;
using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

public sealed class KeyRotationTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RotateKeysAsync_RewrapsEveryDataKey_WithoutTouchingObjectsAndRetiresTheOldKey()
    {
        TestInstance[] instances = [.. Enumerable.Range(1, 7).Select(i => new TestInstance { Seed = i, PixelBytes = 5000 })];
        using ArchiveStore store = _h.Open();
        foreach (TestInstance i in instances)
        {
            await store.StoreAsync(i.Request(), i.Open(), CancellationToken.None);
        }

        Dictionary<string, byte[]> before = _h.ObjectFiles().ToDictionary(f => f, File.ReadAllBytes);
        byte[] wrappedBefore = (byte[])_h.Query("SELECT wrapped_key FROM instances WHERE sop_instance_uid = $p0", instances[0].SopUid)!;

        KeyRotationResult result = await store.RotateKeysAsync(CancellationToken.None);

        Assert.Equal(2, result.Version);
        Assert.True(result.CreatedVersion);
        Assert.Equal(8, result.Rewrapped); // seven data keys and the attribute key
        Assert.Equal([1], result.RetiredVersions);
        Assert.False(File.Exists(Path.Combine(_h.KeyDirectory, "kek-1.key")));
        Assert.True(File.Exists(Path.Combine(_h.KeyDirectory, "kek-2.key")));
        Assert.Equal(7L, _h.Query("SELECT COUNT(*) FROM instances WHERE kek_version = 2"));
        Assert.NotEqual(wrappedBefore, (byte[])_h.Query("SELECT wrapped_key FROM instances WHERE sop_instance_uid = $p0", instances[0].SopUid)!);
        foreach ((string file, byte[] bytes) in before)
        {
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }

        foreach (TestInstance i in instances)
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }

        ArchiveKeyStatus status = store.GetKeyStatus();
        Assert.Equal(2, status.CurrentVersion);
        KeyVersionStatus only = Assert.Single(status.Versions);
        Assert.Equal(7, only.DataKeys);
        Assert.True(only.WrapsAttributeKey);
    }

    [Fact]
    public async Task RotateKeysAsync_AfterReopen_EverythingReadableAndNewStoresUseTheNewVersion()
    {
        var old = new TestInstance { Seed = 1 };
        using (ArchiveStore store = _h.Open())
        {
            await store.StoreAsync(old.Request(), old.Open(), CancellationToken.None);
            await store.RotateKeysAsync(CancellationToken.None);
        }

        using ArchiveStore reopened = _h.Open();
        var fresh = new TestInstance { Seed = 2 };
        await reopened.StoreAsync(fresh.Request(), fresh.Open(), CancellationToken.None);

        Assert.Equal(2L, _h.Query("SELECT kek_version FROM instances WHERE sop_instance_uid = $p0", fresh.SopUid));
        Assert.Equal(old.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(old.SopUid, CancellationToken.None)));
        Assert.NotNull(await reopened.GetStudyAsync(old.StudyUid, CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RotateKeysAsync_CrashMidway_EveryObjectStaysReadableAndARerunFinishes(int batchesBeforeCrash)
    {
        TestInstance[] instances = [.. Enumerable.Range(1, 7).Select(i => new TestInstance { Seed = i })];
        using (ArchiveStore store = _h.Open())
        {
            foreach (TestInstance i in instances)
            {
                await store.StoreAsync(i.Request(), i.Open(), CancellationToken.None);
            }

            // Batches of 3: the crash leaves some rows under version 2 and the rest under version 1.
            await Assert.ThrowsAsync<OperationCanceledException>(() => store.RotateKeysCoreAsync(3, batchesBeforeCrash, null, CancellationToken.None));
        }

        Assert.True(File.Exists(Path.Combine(_h.KeyDirectory, "kek-1.key")));
        Assert.True(File.Exists(Path.Combine(_h.KeyDirectory, "kek-2.key")));
        Assert.Equal(Math.Min(7, batchesBeforeCrash * 3), (long)_h.Query("SELECT COUNT(*) FROM instances WHERE kek_version = 2")!);

        using ArchiveStore reopened = _h.Open();
        Assert.Empty(reopened.OpenReport.RetiredKeyVersions);
        foreach (TestInstance i in instances)
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }

        KeyRotationResult rerun = await reopened.RotateKeysAsync(CancellationToken.None);

        Assert.Equal(3, rerun.Version);
        Assert.Equal([1, 2], rerun.RetiredVersions.Order());
        Assert.Equal(["kek-3.key"], Directory.EnumerateFiles(_h.KeyDirectory, "kek-*").Select(Path.GetFileName));
        foreach (TestInstance i in instances)
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task Open_AfterRotationCrashedBeforeRetiringTheOldFile_RemovesItThen()
    {
        var instance = new TestInstance();
        using (ArchiveStore store = _h.Open())
        {
            await store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
            await store.RotateKeysAsync(CancellationToken.None);
        }

        // Put the old key file back as if the rotation died just before deleting it.
        File.WriteAllText(Path.Combine(_h.KeyDirectory, "kek-1.key"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(Path.Combine(_h.KeyDirectory, "kek-1.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using ArchiveStore reopened = _h.Open();

        Assert.Equal([1], reopened.OpenReport.RetiredKeyVersions);
        Assert.False(File.Exists(Path.Combine(_h.KeyDirectory, "kek-1.key")));
        Assert.Equal(instance.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
    }

    [Fact]
    public async Task RotateKeysAsync_WhileReadsAndStoresGoOn_EveryReadSucceeds()
    {
        using ArchiveStore store = _h.Open();
        TestInstance[] instances = [.. Enumerable.Range(1, 40).Select(i => new TestInstance { Seed = i, PixelBytes = 3000 })];
        foreach (TestInstance i in instances)
        {
            await store.StoreAsync(i.Request(), i.Open(), CancellationToken.None);
        }

        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        int reads = 0;
        Task readers = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (TestInstance i in instances)
                {
                    Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
                    Interlocked.Increment(ref reads);
                    started.TrySetResult();
                }
            }
        });
        await started.Task;
        int readsBefore = Volatile.Read(ref reads);
        var late = new System.Collections.Concurrent.ConcurrentBag<TestInstance>();
        Task writers = Task.Run(async () =>
        {
            for (int n = 0; n < 10; n++)
            {
                var i = new TestInstance { Seed = 100 + n };
                await store.StoreAsync(i.Request(), i.Open(), CancellationToken.None);
                late.Add(i);
            }
        });

        // Batches of 2 so the rotation takes many transactions. Besides the concurrent readers and writers, every
        // intermediate state (some rows under version 1, some under 2) is checked in full between two batches.
        int checkpoints = 0;
        await store.RotateKeysCoreAsync(2, null, async () =>
        {
            checkpoints++;
            foreach (TestInstance i in instances)
            {
                Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
            }

            var between = new TestInstance { Seed = 1000 + checkpoints };
            await store.StoreAsync(between.Request(), between.Open(), CancellationToken.None);
            late.Add(between);
        }, CancellationToken.None);
        await writers;
        await stop.CancelAsync();
        await readers;

        Assert.True(checkpoints >= 20, $"only {checkpoints} intermediate states checked");
        Assert.True(reads >= readsBefore);
        Assert.Equal(0L, _h.Query("SELECT COUNT(*) FROM instances WHERE kek_version <> 2"));
        foreach (TestInstance i in late)
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task RotateKeysAsync_TwoAtOnce_RunOneAfterTheOther()
    {
        using ArchiveStore store = _h.Open();
        TestInstance[] instances = [.. Enumerable.Range(1, 5).Select(i => new TestInstance { Seed = i })];
        foreach (TestInstance i in instances)
        {
            await store.StoreAsync(i.Request(), i.Open(), CancellationToken.None);
        }

        KeyRotationResult[] results = await Task.WhenAll(
            Task.Run(() => store.RotateKeysCoreAsync(1, null, null, CancellationToken.None)),
            Task.Run(() => store.RotateKeysCoreAsync(1, null, null, CancellationToken.None)));

        Assert.Equal([2, 3], results.Select(r => r.Version).Order());
        Assert.Equal(["kek-3.key"], Directory.EnumerateFiles(_h.KeyDirectory, "kek-*").Select(Path.GetFileName));
        foreach (TestInstance i in instances)
        {
            Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task SecretKeys_RotateToTheHighestVersionOfTheSecret_ThenTheOldVersionCanBeDropped()
    {
        string k1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string k2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string index = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var instance = new TestInstance();
        using (ArchiveStore store = _h.Open(o => o with { KekSecret = "1:" + k1, IndexKeySecret = index }))
        {
            await store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
        }

        Assert.False(Directory.Exists(_h.KeyDirectory) && Directory.EnumerateFiles(_h.KeyDirectory).Any());
        using (ArchiveStore store = _h.Open(o => o with { KekSecret = $"1:{k1},2:{k2}", IndexKeySecret = index }))
        {
            KeyRotationResult result = await store.RotateKeysAsync(CancellationToken.None);
            Assert.Equal(2, result.Version);
            Assert.False(result.CreatedVersion);
            Assert.Empty(result.RetiredVersions);
            Assert.False(store.GetKeyStatus().Versions.Single(v => v.Version == 1).InUse);
        }

        using ArchiveStore only2 = _h.Open(o => o with { KekSecret = "2:" + k2, IndexKeySecret = index });
        Assert.Equal(instance.ToArray(), await ArchiveHarness.ReadAllAsync(await only2.OpenDataSetAsync(instance.SopUid, CancellationToken.None)));
        Assert.Single(await only2.FindStudiesAsync(new Gateway.Archive.Index.ArchiveStudyQuery { PatientId = instance.PatientId }, CancellationToken.None));
    }

    [Fact]
    public async Task Open_WithTheWrongIndexKey_Refused()
    {
        string index = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        using (ArchiveStore store = _h.Open(o => o with { IndexKeySecret = index }))
        {
            var instance = new TestInstance();
            await store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
        }

        Assert.Throws<ArchiveKeyException>(() => _h.Open(o => o with { IndexKeySecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
    }

    [Fact]
    public async Task Open_WithTheWrongKek_RefusedInsteadOfWritingUnreadableObjects()
    {
        using (ArchiveStore store = _h.Open())
        {
            var instance = new TestInstance();
            await store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
        }

        Assert.Throws<ArchiveKeyException>(() => _h.Open(o => o with { KekSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
    }

    [Fact]
    public void Open_ExistingIndexWithoutKeyFiles_RefusesToMakeNewKeys()
    {
        using (_h.Open())
        {
        }

        File.Delete(Path.Combine(_h.KeyDirectory, "kek-1.key"));

        Assert.Throws<ArchiveKeyException>(() => _h.Open());
        Assert.False(File.Exists(Path.Combine(_h.KeyDirectory, "kek-1.key")));
    }

    [Fact]
    public void Open_ExistingIndexWithoutIndexKey_RefusesToMakeANewOne()
    {
        using (_h.Open())
        {
        }

        File.Delete(Path.Combine(_h.KeyDirectory, "index.key"));

        Assert.Throws<ArchiveKeyException>(() => _h.Open());
    }
}
