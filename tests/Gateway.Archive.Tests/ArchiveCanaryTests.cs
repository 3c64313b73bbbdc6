using System.Text;
using Gateway.Archive.Index;
using Gateway.Archive.Outbox;
using Gateway.Archive.Tests.Support;
using Gateway.Dicom;

namespace Gateway.Archive.Tests;

/// <summary>No plaintext PHI anywhere on disk: every file under the data directory, while writing and after, and the logs.</summary>
public sealed class ArchiveCanaryTests : IDisposable
{
    private const string CanaryName = "CANARY^PLAINTEXT";
    private const string CanaryId = "CANARY-778899";
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task StoredStudy_CanaryPatientNameAndIdAppearNowhereOnDiskNorInTheLogs()
    {
        string study = TestUids.New();
        string[] sops = [TestUids.New(), TestUids.New(), TestUids.New(), TestUids.New()];
        TestInstance Canary(int n) => new()
        {
            SopUid = sops[n],
            StudyUid = study,
            PatientName = CanaryName,
            PatientId = CanaryId,
            AccessionNumber = "CANARY-ACC-1",
            StudyDescription = "CANARY STUDY",
            SeriesDescription = "CANARY SERIES",
            InstanceNumber = n,
            Seed = n,
            PixelBytes = 100_000,
        };

        ArchiveStore store = _h.Open();
        try
        {
            await store.StoreAsync(Canary(1).Request("PACS"), Canary(1).Open(), CancellationToken.None);
            TestInstance implicitVr = Canary(2);
            await store.StoreAsync(implicitVr.Request("PACS") with { TransferSyntax = DicomTransferSyntax.ImplicitVRLittleEndian }, implicitVr.Open(DicomTransferSyntax.ImplicitVRLittleEndian), CancellationToken.None);

            // A conflict copy and a duplicate go through the same paths.
            TestInstance conflict = Canary(1) with { Seed = 99 };
            await store.StoreAsync(conflict.Request("PACS"), conflict.Open(), CancellationToken.None);
            await store.StoreAsync(Canary(1).Request("PACS"), Canary(1).Open(), CancellationToken.None);

            // A forwarder's error text quoting the patient (a peer's error comment can) is stored encrypted too.
            OutboxLease lease = (await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(1), CancellationToken.None))!;
            await store.Outbox.MarkFailedAsync(lease, _h.Time.Now, $"peer said: patient {CanaryName} id {CanaryId} refused", CancellationToken.None);

            // An instance half received: its temporary file and the WAL are on disk now.
            var gate = new TaskCompletionSource();
            var reached = new TaskCompletionSource();
            TestInstance inFlight = Canary(3) with { PixelBytes = 2_000_000 };
            Task<ArchiveStoreResult> storing = store.StoreAsync(inFlight.Request("PACS"), new FailingStream(inFlight.Open(), 600_000, gate: gate.Task, reached: reached), CancellationToken.None);
            await reached.Task;
            Assert.Single(_h.WrittenSlots());
            Assert.True(File.Exists(Path.Combine(_h.DataDirectory, "archive", "index.db-wal")));
            AssertNoCanary();

            gate.SetResult();
            await storing;
            AssertNoCanary();

            // The data is there, only not in the clear: search by keyed hash, attributes decrypted.
            ArchivedStudy found = Assert.Single(await store.FindStudiesAsync(new ArchiveStudyQuery { PatientId = CanaryId }, CancellationToken.None));
            Assert.Equal(CanaryName, found.Attributes.PatientName);
            Assert.Equal(3, found.InstanceCount);
            Assert.Contains("CANARY", (await store.Outbox.ListAsync(new OutboxQuery(), CancellationToken.None)).Single(i => i.HasError).LastError, StringComparison.Ordinal);
            await store.RotateKeysAsync(CancellationToken.None);
            AssertNoCanary();
        }
        finally
        {
            store.Dispose();
        }

        // Closed: the WAL was checkpointed into the database file.
        AssertNoCanary();
        Assert.NotEmpty(_h.Logger.Lines);
    }

    [Fact]
    public void Scanner_FindsTheCanaryWhenItIsThere()
    {
        string probe = Path.Combine(_h.DataDirectory, "probe");
        Directory.CreateDirectory(probe);
        File.WriteAllBytes(Path.Combine(probe, "a.bin"), [1, 2, .. Encoding.Unicode.GetBytes("xx" + CanaryId + "yy"), 3]);

        Assert.Contains(CanaryId, FindCanary(probe), StringComparison.Ordinal);
        Assert.Null(FindCanary(_h.DataDirectory + "-nothing-here-" + Guid.NewGuid().ToString("N")));
    }

    private static string? FindCanary(string root)
    {
        if (!Directory.Exists(root))
        {
            return null;
        }

        string[] needles = [CanaryName, CanaryId, "CANARY"];
        var patterns = needles.SelectMany(n => new[] { (n, "UTF-8", Encoding.UTF8.GetBytes(n)), (n, "UTF-16LE", Encoding.Unicode.GetBytes(n)) }).ToList();
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(file).Length == 0)
            {
                continue;
            }

            byte[] content;
            try
            {
                using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                content = new byte[s.Length];
                s.ReadExactly(content);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            foreach ((string needle, string encoding, byte[] bytes) in patterns)
            {
                if (content.AsSpan().IndexOf(bytes) >= 0)
                {
                    return $"{needle} ({encoding}) in {file}";
                }
            }
        }

        return null;
    }

    private void AssertNoCanary()
    {
        Assert.Null(FindCanary(_h.DataDirectory));
        Assert.True(Directory.EnumerateFiles(_h.DataDirectory, "*", SearchOption.AllDirectories).Count() >= 6);
        foreach (string line in _h.Logger.Lines)
        {
            Assert.DoesNotContain("CANARY", line, StringComparison.Ordinal);
        }
    }
}
