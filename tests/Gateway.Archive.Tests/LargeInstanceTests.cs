using Gateway.Archive.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Archive.Tests;

/// <summary>A multi-megabyte instance streams through in bounded memory both ways. Runs alone: it measures process-wide allocations.</summary>
[Collection(SerialCollection.Name)]
public sealed class LargeInstanceTests(ITestOutputHelper output) : IDisposable
{
    private const long PixelBytes = 96L * 1024 * 1024;
    private readonly ArchiveHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task StoreAndRead_96MiBInstance_AllocatesAFractionOfItsSizeAndReadsBackIdentical()
    {
        using ArchiveStore store = _h.Open();
        var instance = new TestInstance { PixelBytes = PixelBytes, Seed = 42 };

        // Warm up code paths (JIT, pools) so the measurement sees the steady state.
        var small = new TestInstance { PixelBytes = 300_000 };
        await store.StoreAsync(small.Request(), small.Open(), CancellationToken.None);
        await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(small.SopUid, CancellationToken.None));

        long before = GC.GetTotalAllocatedBytes(precise: true);
        ArchiveStoreResult result = await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
        long storeAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        before = GC.GetTotalAllocatedBytes(precise: true);
        bool equal;
        await using (ArchivedInstance? archived = await store.OpenDataSetAsync(instance.SopUid, CancellationToken.None))
        {
            Assert.NotNull(archived);
            using Stream expected = instance.Open();
            equal = await StreamsEqualAsync(expected, archived.Stream);
        }

        long readAllocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        output.WriteLine($"96 MiB instance: store allocated {storeAllocated} bytes, read allocated {readAllocated} bytes");
        Assert.True(equal, "the archived data set differs from the one sent");
        Assert.True(result.DataSetLength > PixelBytes);
        Assert.True(new FileInfo(_h.ObjectFileOf(instance.SopUid)).Length > PixelBytes);

        // A copy of the instance would be 96 MiB; the pipeline holds a few 64 KiB buffers.
        Assert.True(storeAllocated < 8L * 1024 * 1024, $"store allocated {storeAllocated} bytes");
        Assert.True(readAllocated < 8L * 1024 * 1024, $"read allocated {readAllocated} bytes");
    }

    private static async Task<bool> StreamsEqualAsync(Stream a, Stream b)
    {
        byte[] x = new byte[81920];
        byte[] y = new byte[81920];
        while (true)
        {
            int n = await a.ReadAtLeastAsync(x, x.Length, throwOnEndOfStream: false);
            int m = await b.ReadAtLeastAsync(y, y.Length, throwOnEndOfStream: false);
            if (n != m || !x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, m)))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }
        }
    }
}
