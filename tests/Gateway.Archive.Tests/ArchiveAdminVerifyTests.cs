using Gateway.Archive.Keys;
using Gateway.Archive.Tests.Support;
using Gateway.Archive.Verification;

namespace Gateway.Archive.Tests;

public sealed class ArchiveAdminVerifyTests : IDisposable
{
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task VerifyObjectsAsync_IntactArchive_ChecksEveryObjectAndFindsNothing()
    {
        await StoreAsync(4);
        var seen = new List<ArchiveVerifyProgress>();

        ArchiveVerificationReport report;
        using (var admin = ArchiveAdmin.Open(_h.Options()))
        {
            report = await admin.VerifyObjectsAsync(new SynchronousProgress(seen), CancellationToken.None);
        }

        Assert.True(report.IsValid);
        Assert.Equal(4, report.ObjectsChecked);
        Assert.Empty(report.UnknownFiles);
        Assert.Equal(4, seen.Count);
        Assert.All(seen, p => Assert.Equal(4, p.ObjectsTotal));
    }

    [Fact]
    public async Task VerifyObjectsAsync_AlteredTruncatedMissingAndStrangeFiles_AreEachReported()
    {
        TestInstance[] instances = await StoreAsync(5);
        string altered = _h.ObjectFileOf(instances[0].SopUid);
        byte[] bytes = File.ReadAllBytes(altered);
        bytes[^20] ^= 0x01;
        File.WriteAllBytes(altered, bytes);
        string truncated = _h.ObjectFileOf(instances[1].SopUid);
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..100]);
        string missing = _h.ObjectFileOf(instances[2].SopUid);
        File.Move(missing, missing + ".locked");

        ArchiveVerificationReport report;
        using (var admin = ArchiveAdmin.Open(_h.Options()))
        {
            report = await admin.VerifyObjectsAsync(null, CancellationToken.None);
        }

        Assert.Equal(5, report.ObjectsChecked);
        Assert.Equal(
            new[] { altered, truncated, missing }.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal),
            report.Problems.Select(p => p.ObjectName));
        Assert.Contains("missing", report.Problems.Single(p => p.SopInstanceUid == instances[2].SopUid).Reason, StringComparison.Ordinal);
        Assert.Contains("authentication", report.Problems.Single(p => p.SopInstanceUid == instances[0].SopUid).Reason, StringComparison.Ordinal);
        Assert.Equal([Path.GetRelativePath(Path.Combine(_h.DataDirectory, "archive"), missing + ".locked")], report.UnknownFiles);
    }

    [Fact]
    public async Task VerifyObjectsAsync_WithoutTheKeys_Refuses()
    {
        await StoreAsync(1);
        File.Delete(Path.Combine(_h.KeyDirectory, "kek-1.key"));

        using var admin = ArchiveAdmin.Open(_h.Options());
        await Assert.ThrowsAsync<ArchiveKeyException>(() => admin.VerifyObjectsAsync(null, CancellationToken.None));
    }

    private async Task<TestInstance[]> StoreAsync(int count)
    {
        TestInstance[] instances = [.. Enumerable.Range(0, count).Select(i => new TestInstance { PixelBytes = 70_000 + i, Seed = i + 1 })];
        using ArchiveStore store = _h.Open();
        foreach (TestInstance instance in instances)
        {
            await store.StoreAsync(instance.Request(), instance.Open(), CancellationToken.None);
        }

        return instances;
    }

    private sealed class SynchronousProgress(List<ArchiveVerifyProgress> seen) : IProgress<ArchiveVerifyProgress>
    {
        public void Report(ArchiveVerifyProgress value)
        {
            lock (seen)
            {
                seen.Add(value);
            }
        }
    }
}
