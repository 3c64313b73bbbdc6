using System.Diagnostics;
using Gateway.Archive.Tests.Support;

namespace Gateway.Archive.Tests;

/// <summary>
/// A real full volume: the archive on a small tmpfs (this test mounts one, so it needs root, as the project's machines and
/// CI run) filled until the kernel says ENOSPC. Refusals are clean, nothing acknowledged is lost or corrupted, and the
/// archive works again when space returns.
/// </summary>
public sealed class ArchiveDiskFullTests
{
    [Fact]
    public async Task StoreAsync_VolumeRunsFull_RefusedCleanly_NothingCorrupted_RecoversWhenSpaceReturns()
    {
        using var directory = new TempDirectory();
        Mount(directory.Path, "size=3m,mode=0700");
        var stored = new List<TestInstance>();
        try
        {
            var options = new ArchiveOptions { DataDirectory = directory.Path, MinimumFreeBytes = 0 };
            ArchiveFullException? full = null;
            using (ArchiveStore store = ArchiveStore.Open(options))
            {
                for (int i = 0; i < 100 && full is null; i++)
                {
                    var instance = new TestInstance { Seed = i, PixelBytes = 300_000 };
                    try
                    {
                        await store.StoreAsync(instance.Request("PACS"), instance.Open(), CancellationToken.None);
                        stored.Add(instance);
                    }
                    catch (ArchiveFullException ex)
                    {
                        full = ex;
                    }
                }

                Assert.NotNull(full);
                Assert.Equal(ArchiveFullReason.DiskSpace, full.Reason);
                Assert.True(stored.Count >= 3, $"only {stored.Count} stored before the volume was full");
                Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(directory.Path, "archive", "tmp")));

                // Still full: refused again, cleanly.
                var more = new TestInstance { Seed = 1000, PixelBytes = 300_000 };
                await Assert.ThrowsAsync<ArchiveFullException>(() => store.StoreAsync(more.Request("PACS"), more.Open(), CancellationToken.None));

                foreach (TestInstance i in stored)
                {
                    Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await store.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
                }

                Assert.Equal(stored.Count, await store.Outbox.GetDepthAsync(CancellationToken.None));
            }

            Mount(directory.Path, "remount,size=32m");
            using ArchiveStore reopened = ArchiveStore.Open(options);
            var after = new TestInstance { Seed = 2000, PixelBytes = 300_000 };
            Assert.Equal(ArchiveStoreOutcome.Stored, (await reopened.StoreAsync(after.Request("PACS"), after.Open(), CancellationToken.None)).Outcome);
            stored.Add(after);
            foreach (TestInstance i in stored)
            {
                Assert.Equal(i.ToArray(), await ArchiveHarness.ReadAllAsync(await reopened.OpenDataSetAsync(i.SopUid, CancellationToken.None)));
            }

            Assert.Empty(reopened.OpenReport.MissingObjects);
            Assert.Equal(stored.Count, Directory.EnumerateFiles(Path.Combine(directory.Path, "archive", "objects"), "*.obj", SearchOption.AllDirectories).Count());
        }
        finally
        {
            Run("umount", directory.Path);
        }
    }

    private static void Mount(string path, string options)
    {
        (int code, string output) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        Assert.True(code == 0, $"this test mounts a tmpfs and needs root: mount -o {options} failed ({code}): {output}");
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
