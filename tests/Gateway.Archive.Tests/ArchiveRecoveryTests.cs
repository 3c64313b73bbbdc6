using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

/// <summary>Crash recovery at open, and stores that fail half way.</summary>
public sealed class ArchiveRecoveryTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Open_ObjectFileWithoutIndexRow_IsRemovedAndReported()
    {
        var kept = new TestInstance();
        using (ArchiveStore store = _h.Open())
        {
            await store.StoreAsync(kept.Request(), kept.Open(), CancellationToken.None);
        }

        // A crash between the rename of the object and the commit of its row leaves exactly this: a complete object file
        // that no row references.
        string orphanName = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        string orphan = Path.Combine(_h.ObjectsDirectory, orphanName[..2], orphanName + ".obj");
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        File.Copy(_h.ObjectFileOf(kept.SopUid), orphan);

        using ArchiveStore reopened = _h.Open();

        Assert.Equal(1, reopened.OpenReport.OrphanObjectsRemoved);
        Assert.True(reopened.OpenReport.RepairedAnything);
        Assert.False(File.Exists(orphan));
        Assert.Single(_h.ObjectFiles());
        Assert.Equal(kept.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(kept.SopUid, CancellationToken.None)));
        Assert.Contains(_h.Logger.Lines, l => l.Contains(" 6002 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_CommittedObjectWhoseRenameWasLost_IsRolledForward()
    {
        var kept = new TestInstance();
        using (ArchiveStore store = _h.Open())
        {
            await store.StoreAsync(kept.Request(), kept.Open(), CancellationToken.None);
            Assert.NotEmpty(_h.Slots());
        }

        // The row is committed, but a crash took the rename of the slot to its final name (it is not flushed on its own).
        string objectFile = _h.ObjectFileOf(kept.SopUid);
        string slot = Path.ChangeExtension(objectFile, ".slot");
        File.Move(objectFile, slot);

        using ArchiveStore reopened = _h.Open();

        Assert.True(File.Exists(objectFile));
        Assert.Empty(_h.Slots());
        Assert.Empty(reopened.OpenReport.MissingObjects);
        Assert.Contains(_h.Logger.Lines, l => l.Contains(" 6018 ", StringComparison.Ordinal));
        Assert.Equal(kept.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(kept.SopUid, CancellationToken.None)));
    }

    [Fact]
    public async Task Open_WrittenSlotWithoutIndexRow_IsRemoved()
    {
        var kept = new TestInstance();
        using (ArchiveStore store = _h.Open())
        {
            await store.StoreAsync(kept.Request(), kept.Open(), CancellationToken.None);
        }

        // A crash after the object's bytes went into a slot but before its row: the slot is written and unreferenced.
        string name = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        string slot = Path.Combine(_h.ObjectsDirectory, name[..2], name + ".slot");
        Directory.CreateDirectory(Path.GetDirectoryName(slot)!);
        File.Copy(_h.ObjectFileOf(kept.SopUid), slot);

        using ArchiveStore reopened = _h.Open();

        Assert.False(File.Exists(slot));
        Assert.Empty(_h.Slots());
        Assert.Single(_h.ObjectFiles());
    }

    [Fact]
    public void Open_TemporaryFiles_AreRemovedAndReported()
    {
        using (_h.Open())
        {
        }

        File.WriteAllBytes(Path.Combine(_h.TempDirectory, "0123456789abcdef0123456789abcdef.tmp"), new byte[1000]);
        File.WriteAllBytes(Path.Combine(_h.TempDirectory, "whatever"), new byte[10]);

        using ArchiveStore reopened = _h.Open();

        Assert.Equal(2, reopened.OpenReport.TempFilesRemoved);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_h.TempDirectory));
    }

    [Fact]
    public async Task Open_MissingObject_IsReportedAndThatInstanceFailsLoudly()
    {
        var lost = new TestInstance();
        var fine = new TestInstance();
        using (ArchiveStore store = _h.Open())
        {
            await store.StoreAsync(lost.Request(), lost.Open(), CancellationToken.None);
            await store.StoreAsync(fine.Request(), fine.Open(), CancellationToken.None);
        }

        string file = _h.ObjectFileOf(lost.SopUid);
        File.Delete(file);

        using ArchiveStore reopened = _h.Open();

        Assert.Equal([Path.GetFileNameWithoutExtension(file)], reopened.OpenReport.MissingObjects);
        await Assert.ThrowsAsync<ArchiveIntegrityException>(() => reopened.OpenDataSetAsync(lost.SopUid, CancellationToken.None));
        Assert.Equal(fine.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(fine.SopUid, CancellationToken.None)));
    }

    [Fact]
    public void Open_UnknownFilesInObjects_AreLeftAlone()
    {
        using (_h.Open())
        {
        }

        string stray = Path.Combine(_h.ObjectsDirectory, "README");
        File.WriteAllText(stray, "not ours");

        using ArchiveStore reopened = _h.Open();

        Assert.Equal(1, reopened.OpenReport.UnknownFiles);
        Assert.True(File.Exists(stray));
    }

    [Fact]
    public async Task StoreAsync_InputFailsHalfway_NothingRemainsAndTheNextStoreWorks()
    {
        using ArchiveStore store = _h.Open();
        var broken = new TestInstance { PixelBytes = 1_000_000 };

        await Assert.ThrowsAsync<IOException>(() => store.StoreAsync(broken.Request("PACS"), new FailingStream(broken.Open(), 300_000), CancellationToken.None));

        Assert.Empty(_h.WrittenSlots());
        Assert.Empty(_h.ObjectFiles());
        Assert.Equal(0L, _h.Query("SELECT COUNT(*) FROM instances"));
        Assert.Equal(0L, _h.Query("SELECT COUNT(*) FROM outbox"));
        Assert.Equal(0L, _h.Query("SELECT depth FROM outbox_depth"));

        ArchiveStoreResult retry = await store.StoreAsync(broken.Request("PACS"), broken.Open(), CancellationToken.None);
        Assert.Equal(ArchiveStoreOutcome.Stored, retry.Outcome);
        Assert.Equal(broken.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(broken.SopUid, CancellationToken.None)));
    }

    [Fact]
    public async Task StoreAsync_CancelledHalfway_NothingRemains()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance { PixelBytes = 1_000_000 };
        var gate = new TaskCompletionSource();
        var reached = new TaskCompletionSource();
        using var cts = new CancellationTokenSource();

        Task<ArchiveStoreResult> storing = store.StoreAsync(instance.Request(), new FailingStream(instance.Open(), 200_000, gate: gate.Task, reached: reached), cts.Token);
        await reached.Task;
        Assert.Single(_h.WrittenSlots());
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storing);
        Assert.Empty(_h.WrittenSlots());
        Assert.Empty(_h.ObjectFiles());
        Assert.Equal(0L, _h.Query("SELECT COUNT(*) FROM instances"));
    }

    [Fact]
    public async Task StoreAsync_TruncatedDataSet_RejectedAsMalformed()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance();
        byte[] bytes = instance.ToArray();

        // Cut inside the header (before the pixel data): the parser sees the stream end inside an element.
        ArchiveRejectedException ex = await Assert.ThrowsAsync<ArchiveRejectedException>(
            () => store.StoreAsync(instance.Request(), new MemoryStream(bytes[..200]), CancellationToken.None));

        Assert.Equal(ArchiveRejectReason.MalformedDataSet, ex.Reason);
        Assert.Empty(_h.ObjectFiles());
        Assert.Empty(_h.WrittenSlots());
    }
}
