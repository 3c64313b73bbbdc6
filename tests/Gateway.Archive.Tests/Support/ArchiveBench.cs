using System.Diagnostics;
using System.Globalization;

namespace Gateway.Archive.Tests.Support;

/// <summary>
/// A throughput measurement, not a test: <c>dotnet Gateway.Archive.Tests.dll bench [COUNT] [BYTES] [CONCURRENCY] [DIR]</c>
/// stores COUNT instances of about BYTES each (one destination each), every one durable before the next on its
/// worker, then reads them all back. The data sets are generated in memory before the clock starts.
/// </summary>
internal static class ArchiveBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
        int size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 512 * 1024;
        int concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        string directory = args.Length > 3 ? args[3] : Path.Combine("/var/tmp", "archive-bench-" + Guid.NewGuid().ToString("N")[..8]);
        string study = TestUids.New();
        TestInstance[] instances = [.. Enumerable.Range(0, count).Select(i => new TestInstance { StudyUid = study, InstanceNumber = i + 1, Seed = i, PixelBytes = size })];
        byte[][] data = [.. instances.Select(i => i.ToArray())];
        long bytes = data.Sum(d => (long)d.Length);

        try
        {
            using ArchiveStore store = ArchiveStore.Open(new ArchiveOptions { DataDirectory = directory, MinimumFreeBytes = 0 });
            var clock = Stopwatch.StartNew();
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    await store.StoreAsync(instances[i].Request("PACS"), new MemoryStream(data[i]), CancellationToken.None);
                }
            })));
            double stored = clock.Elapsed.TotalSeconds;
            clock.Restart();
            foreach (TestInstance instance in instances)
            {
                await using ArchivedInstance? archived = await store.OpenDataSetAsync(instance.SopUid, CancellationToken.None);
                await archived!.Stream.CopyToAsync(Stream.Null);
            }

            double read = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"store: {count} x {size / 1024} KiB, {concurrency} concurrent: {stored:F2} s, {count / stored:F1} instances/s, {bytes / stored / 1048576:F1} MiB/s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read back: {read:F2} s, {bytes / read / 1048576:F1} MiB/s"));
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
