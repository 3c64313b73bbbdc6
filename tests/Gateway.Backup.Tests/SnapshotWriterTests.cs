using Gateway.Archive;
using Gateway.Backup.Manifest;
using Gateway.Backup.Storage;
using Gateway.Backup.Tests.Support;

namespace Gateway.Backup.Tests;

public sealed class SnapshotWriterTests
{
    [Fact]
    public async Task Snapshot_OfArchive_ListsEveryObjectIndexAuditAndPolicy_AndIsAudited()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(6);
        long auditBefore = h.Audit!.Size;

        SnapshotResult result = await h.SnapshotAsync();

        SnapshotManifest m = result.Manifest;
        Assert.Equal(6, m.Files.Count(f => f.Path.StartsWith("archive/objects/", StringComparison.Ordinal)));
        Assert.Contains(m.Files, f => f.Path == ArchiveFiles.IndexPath);
        Assert.Contains(m.Files, f => f.Path == "policy/site.yaml");
        Assert.Contains(m.Files, f => f.Path == "audit/keys/signing.pub");
        Assert.DoesNotContain(m.Files, f => f.Path.StartsWith("keys/", StringComparison.Ordinal) || f.Path.EndsWith(".key", StringComparison.Ordinal));
        Assert.Equal(ManifestMerkle.Root(m.Files), m.MerkleRoot);
        Assert.Equal(auditBefore + 1, h.Audit.Size);

        // Objects are stored as their ciphertext: the blob is byte for byte the object file.
        string objectFile = h.ObjectFiles()[0];
        ManifestEntry entry = m.Files.Single(f => f.Path.EndsWith(Path.GetFileName(objectFile), StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(objectFile), File.ReadAllBytes(h.Repository().BlobPath(entry.Sha256)));
        Assert.Equal(m.Id, h.Repository().ReadSnapshot(m.Id, h.Verifier()).Id);
    }

    [Fact]
    public async Task Snapshot_OfUnchangedArchive_ReadsNoObjectAgain()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(6);
        SnapshotResult first = await h.SnapshotAsync();

        SnapshotResult second = await h.SnapshotAsync();

        Assert.True(first.FilesRead >= 6);
        Assert.DoesNotContain(second.Manifest.Files.Where(f => f.Path.StartsWith("archive/objects/", StringComparison.Ordinal)), f => !first.Manifest.Files.Contains(f));
        // Only the index copy and the audit files (which grew by the first snapshot's record) are read again.
        Assert.True(second.FilesRead <= second.Manifest.Files.Count(f => !f.Path.StartsWith("archive/objects/", StringComparison.Ordinal)));
        Assert.Empty(second.Manifest.ChangedObjects);
    }

    [Fact]
    public async Task Snapshot_AfterAnObjectWasRewritten_ReportsItAsChanged()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(4);
        await h.SnapshotAsync();
        string victim = h.ObjectFiles()[1];
        byte[] bytes = File.ReadAllBytes(victim);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(victim, bytes);

        SnapshotResult second = await h.SnapshotAsync();

        Assert.Equal([Path.GetFileNameWithoutExtension(victim)], second.Manifest.ChangedObjects);
    }

    [Fact]
    public async Task Snapshot_OfManyIdenticalFilesCopiedAtOnce_StoresOneBlob()
    {
        // Regression: two files with the same bytes copied in parallel both tried to rename their copy into the one blob.
        await using BackupHarness h = await new BackupHarness().PopulateAsync(1);
        for (int i = 0; i < 32; i++)
        {
            File.WriteAllText(Path.Combine(h.PolicyDirectory, $"same-{i:00}.yaml"), "flows: []\n");
        }

        SnapshotResult result = await h.SnapshotAsync();

        Assert.Single(result.Manifest.Files.Where(f => f.Path.StartsWith("policy/", StringComparison.Ordinal)).Select(f => f.Sha256).Distinct());
        Assert.Equal(33, result.Manifest.Files.Count(f => f.Path.StartsWith("policy/", StringComparison.Ordinal)));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Snapshot_FilesInRepository_AreReadOnlyAndImmutable()
    {
        await using BackupHarness h = await new BackupHarness().PopulateAsync(2);
        SnapshotResult result = await h.SnapshotAsync();
        string manifest = Path.Combine(h.RepositoryDirectory, "snapshots", result.Manifest.Id, "manifest.json");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(manifest));
        if (result.Immutable)
        {
            Assert.True(ImmutableFiles.IsImmutable(manifest));
            Assert.ThrowsAny<Exception>(() => File.WriteAllText(manifest, "{}"));
            Assert.ThrowsAny<Exception>(() => File.Delete(manifest));
            Assert.ThrowsAny<Exception>(() => Directory.Delete(Path.GetDirectoryName(manifest)!, recursive: true));
            Assert.True(File.Exists(manifest));
        }
    }
}
