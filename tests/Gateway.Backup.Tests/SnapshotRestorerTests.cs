using System.Security.Cryptography;
using Gateway.Archive;
using Gateway.Archive.Tests.Support;
using Gateway.Archive.Verification;
using Gateway.Backup.Storage;
using Gateway.Backup.Tests.Support;

namespace Gateway.Backup.Tests;

public sealed class SnapshotRestorerTests
{
    [Fact]
    public async Task Restore_WholeGateway_BringsBackEveryInstanceVerified()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(5);
        SnapshotResult s = await h.SnapshotAsync();
        string target = h.Scratch("restored");

        RestoreResult result = await SnapshotRestorer.RestoreAsync(h.Repository(), Request(h, s, target), null, CancellationToken.None);

        Assert.Equal(5, result.ObjectsVerified);
        Assert.True(result.AuditRecords >= 0);
        // The phases it reports fit in the whole: copy, then sync and object check side by side, then the audit log.
        Assert.True(result.CopyElapsed > TimeSpan.Zero && result.SyncElapsed > TimeSpan.Zero && result.ObjectVerifyElapsed > TimeSpan.Zero);
        Assert.True(result.CopyElapsed + result.AuditVerifyElapsed + (result.SyncElapsed > result.ObjectVerifyElapsed ? result.SyncElapsed : result.ObjectVerifyElapsed) <= result.Elapsed);
        await AssertEveryInstanceAsync(h, target);
    }

    [Fact]
    public async Task Ransomware_OverwrittenObjectsAndLostIndex_VerifyFindsEveryOne_RestoreBringsBackEveryInstance()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(9, studies: 3);
        SnapshotResult s = await h.SnapshotAsync();

        // A third of the objects overwritten with random bytes of the same length, as a ransomware encryption would.
        string[] victims = [.. h.ObjectFiles().Where((_, i) => i % 3 == 0)];
        foreach (string victim in victims)
        {
            File.WriteAllBytes(victim, RandomNumberGenerator.GetBytes((int)new FileInfo(victim).Length));
        }

        ArchiveVerificationReport report;
        using (var admin = ArchiveAdmin.Open(h.ArchiveOptions()))
        {
            report = await admin.VerifyObjectsAsync(null, CancellationToken.None);
        }

        Assert.Equal(victims.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal), report.Problems.Select(p => p.ObjectName));
        Assert.Equal(9, report.ObjectsChecked);

        File.Delete(Path.Combine(h.DataDirectory, "archive", "index.db"));
        string target = h.Scratch("restored");
        RestoreResult result = await SnapshotRestorer.RestoreAsync(h.Repository(), Request(h, s, target), null, CancellationToken.None);

        Assert.Equal(9, result.ObjectsVerified);
        await AssertEveryInstanceAsync(h, target);
    }

    [Fact]
    public async Task Restore_OfTamperedBlob_FailsNamingTheFile()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(3);
        SnapshotResult s = await h.SnapshotAsync();
        Gateway.Backup.Manifest.ManifestEntry victim = s.Manifest.Files.First(f => f.Path.StartsWith("archive/objects/", StringComparison.Ordinal));
        string blob = h.Repository().BlobPath(victim.Sha256);
        ImmutableFiles.Unseal(blob);
        byte[] bytes = File.ReadAllBytes(blob);
        bytes[100] ^= 1;
        File.WriteAllBytes(blob, bytes);

        SnapshotIntegrityException ex = await Assert.ThrowsAsync<SnapshotIntegrityException>(() =>
            SnapshotRestorer.RestoreAsync(h.Repository(), Request(h, s, h.Scratch("restored")), null, CancellationToken.None));

        Assert.Contains(victim.Path, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(h.Scratch("restored"), victim.Path)));
    }

    [Fact]
    public async Task Restore_OfASnapshotTakenAfterAnObjectWasDamaged_FailsNamingTheObject_TheOthersAreInPlace()
    {
        // The manifest vouches for the damaged bytes (the snapshot copied them as they were): only the GCM check finds it.
        await using BackupHarness h = await new BackupHarness().PopulateAsync(4);
        string victim = h.ObjectFiles().Order(StringComparer.Ordinal).ElementAt(1);
        byte[] bytes = File.ReadAllBytes(victim);
        bytes[^20] ^= 0x40;
        File.WriteAllBytes(victim, bytes);
        SnapshotResult s = await h.SnapshotAsync();
        string target = h.Scratch("restored");

        SnapshotIntegrityException ex = await Assert.ThrowsAsync<SnapshotIntegrityException>(() =>
            SnapshotRestorer.RestoreAsync(h.Repository(), Request(h, s, target), null, CancellationToken.None));

        Assert.Contains("1 restored archive object(s) failed verification", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileNameWithoutExtension(victim), ex.Message, StringComparison.Ordinal);
        Assert.Contains("failed authentication", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(target, "archive", "objects"), "*.obj", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task Restore_OfAlteredManifest_FailsOnTheSignature()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(2);
        SnapshotResult s = await h.SnapshotAsync(retention: TimeSpan.FromDays(30));
        string manifest = Path.Combine(h.RepositoryDirectory, "snapshots", s.Manifest.Id, "manifest.json");
        ImmutableFiles.Unseal(Path.GetDirectoryName(manifest)!);
        ImmutableFiles.Unseal(manifest);

        // Shortening the retention in the manifest is an alteration like any other.
        string text = File.ReadAllText(manifest);
        File.WriteAllText(manifest, text.Replace(Gateway.Backup.Manifest.ManifestSerializer.Time(s.Manifest.RetainUntil), Gateway.Backup.Manifest.ManifestSerializer.Time(s.Manifest.CreatedAt), StringComparison.Ordinal));

        SnapshotIntegrityException ex = await Assert.ThrowsAsync<SnapshotIntegrityException>(() =>
            SnapshotRestorer.RestoreAsync(h.Repository(), Request(h, s, h.Scratch("restored")), null, CancellationToken.None));
        Assert.Contains("differs from what was signed", ex.Message, StringComparison.Ordinal);
        Assert.Throws<SnapshotIntegrityException>(() => h.Repository().Prune(h.Verifier(), DateTimeOffset.UtcNow, null));
    }

    [Fact]
    public async Task Restore_WithoutArchiveKeys_RefusesToCountObjectsRestored()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(2);
        SnapshotResult s = await h.SnapshotAsync();

        BackupException ex = await Assert.ThrowsAsync<BackupException>(() => SnapshotRestorer.RestoreAsync(
            h.Repository(),
            new RestoreRequest { SnapshotId = s.Manifest.Id, Verifier = h.Verifier(), Target = h.Scratch("restored") },
            null,
            CancellationToken.None));

        Assert.Contains("cannot be checked", ex.Message, StringComparison.Ordinal);
    }

    private static RestoreRequest Request(BackupHarness h, SnapshotResult s, string target) =>
        new() { SnapshotId = s.Manifest.Id, Verifier = h.Verifier(), Target = target, KeyDirectory = h.KeyDirectory };

    private static async Task AssertEveryInstanceAsync(BackupHarness h, string target)
    {
        await using ArchiveStore restored = ArchiveStore.Open(h.ArchiveOptions(target) with { CreateIfMissing = false });
        foreach (TestInstance instance in h.Instances)
        {
            byte[] data = await BackupHarness.ReadAllAsync(await restored.OpenDataSetAsync(instance.SopUid, CancellationToken.None));
            Assert.Equal(instance.ToArray(), data);
        }
    }
}
