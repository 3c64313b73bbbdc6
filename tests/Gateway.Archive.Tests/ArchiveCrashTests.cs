using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Archive.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Archive.Tests;

/// <summary>
/// kill -9 at random moments: a child process stores instances (and delivers, and rotates keys) and is killed; after
/// each kill, every instance it had acknowledged must read back byte for byte, and recovery must leave no temporary or
/// unreferenced file behind.
/// </summary>
public sealed class ArchiveCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task KilledWhileStoring_EveryAcknowledgedInstanceSurvivesAndRecoveryCleansUp()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"kill schedule seed {seed}");
        var acknowledged = new Dictionary<string, string>(StringComparer.Ordinal);
        int recovered = 0;
        for (int round = 0; round < 6; round++)
        {
            int killAfterMs = random.Next(300, 2500);
            int acks = await RunAndKillAsync(killAfterMs, acknowledged);
            output.WriteLine($"round {round}: killed {killAfterMs} ms after open, {acks} acknowledged this round");

            using ArchiveStore store = ArchiveStore.Open(new ArchiveOptions { DataDirectory = _directory.Path, MinimumFreeBytes = 0 });
            ArchiveOpenReport report = store.OpenReport;
            recovered += report.TempFilesRemoved + report.OrphanObjectsRemoved;
            Assert.Empty(report.MissingObjects);
            Assert.Empty(report.MissingKeyVersions);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_directory.Path, "archive", "tmp")));
            foreach ((string uid, string sha) in acknowledged)
            {
                await using ArchivedInstance? instance = await store.OpenDataSetAsync(uid, CancellationToken.None);
                Assert.True(instance is not null, $"acknowledged {uid} is not in the archive after round {round}");
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                byte[] buffer = new byte[65536];
                int n;
                while ((n = await instance.Stream.ReadAsync(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                }

                Assert.Equal(sha, Convert.ToHexStringLower(hash.GetHashAndReset()));
            }

            // Every object file is referenced by exactly one row, and every row's object is there.
            int files = Directory.EnumerateFiles(Path.Combine(_directory.Path, "archive", "objects"), "*.obj", SearchOption.AllDirectories).Count();
            Assert.Equal(files, (await store.FindStudiesAsync(new Gateway.Archive.Index.ArchiveStudyQuery { Limit = 100_000 }, CancellationToken.None)).Sum(s => s.InstanceCount));
        }

        output.WriteLine($"{acknowledged.Count} acknowledged instances verified; recovery removed {recovered} file(s) in all");
        Assert.True(acknowledged.Count >= 5, "the child acknowledged too few instances for the test to mean anything");
    }

    private async Task<int> RunAndKillAsync(int killAfterMs, Dictionary<string, string> acknowledged)
    {
        string assembly = typeof(ArchiveCrashTests).Assembly.Location;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(assembly);
        info.ArgumentList.Add("crash-worker");
        info.ArgumentList.Add(_directory.Path);
        using Process process = Process.Start(info)!;
        int acks = 0;
        try
        {
            string? first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (first != "OPEN")
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the child did not start: {first} {await process.StandardError.ReadToEndAsync()}");
            }

            Task killer = Task.Delay(killAfterMs).ContinueWith(_ => process.Kill(entireProcessTree: true), TaskScheduler.Default);
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                string[] parts = line.Split(' ');
                if (parts.Length == 3 && parts[0] == "ACK")
                {
                    acknowledged[parts[1]] = parts[2];
                    acks++;
                }
            }

            await killer;
            await process.WaitForExitAsync();
            Assert.NotEqual(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return acks;
    }
}
