using System.Security.Cryptography;
using Gateway.Archive.Outbox;

namespace Gateway.Archive.Tests.Support;

/// <summary>
/// The child process of the crash test: stores instances one after another and prints <c>ACK uid sha256</c> for each
/// only after <see cref="ArchiveStore.StoreAsync"/> returned (what a C-STORE success would be sent for). Between
/// stores it delivers outbox items and now and then rotates the keys, so a kill can land anywhere.
/// </summary>
internal static class CrashWorker
{
    public static async Task RunAsync(string dataDirectory)
    {
        using ArchiveStore store = ArchiveStore.Open(new ArchiveOptions { DataDirectory = dataDirectory, MinimumFreeBytes = 0, ChunkSize = 16 * 1024 });
        Console.Out.WriteLine("OPEN");
        Console.Out.Flush();
        for (int i = 0; ; i++)
        {
            var instance = new TestInstance { Seed = RandomNumberGenerator.GetInt32(int.MaxValue), PixelBytes = 20_000 + RandomNumberGenerator.GetInt32(400_000) };
            await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
            Console.Out.WriteLine($"ACK {instance.SopUid} {Convert.ToHexStringLower(SHA256.HashData(instance.ToArray()))}");
            Console.Out.Flush();
            if (i % 7 == 6 && await store.Outbox.LeaseAsync("PACS", TimeSpan.FromMinutes(5), CancellationToken.None) is { } lease)
            {
                await store.Outbox.MarkDeliveredAsync(lease, CancellationToken.None);
            }

            if (i % 25 == 24)
            {
                await store.RotateKeysCoreAsync(3, null, null, CancellationToken.None);
            }
        }
    }
}
