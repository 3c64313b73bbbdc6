using System.Diagnostics;
using System.Globalization;
using Gateway.Fuzz.Targets;
using SharpFuzz;

namespace Gateway.Fuzz;

/// <summary>The fuzzing command line (see fuzz/README.md).</summary>
internal static class Program
{
    private const string Usage = """
        usage: gateway-fuzz TARGET                 run TARGET under afl-fuzz (SharpFuzz, out of process)
               gateway-fuzz seeds DIR               write every target's seed corpus to DIR/TARGET/
               gateway-fuzz replay TARGET FILE...   run inputs once each (triage of AFL++ crashes)
               gateway-fuzz mutate TARGET N         in process: the seeds and N mutations; prints executions and time
        targets: dataset, pdu, dimse-command, multipart, policy
        """;

    public static int Main(string[] args)
    {
        // The binaries live under the repository (bin/ or fuzz/out/publish/): seeds come from its test data.
        string repository = FuzzSeeds.FindRepository(AppContext.BaseDirectory);
        switch (args)
        {
            case ["seeds", string directory]:
                foreach (FuzzTarget target in FuzzTargets.All)
                {
                    string dir = Directory.CreateDirectory(Path.Combine(directory, target.Name)).FullName;
                    IReadOnlyList<byte[]> seeds = FuzzSeeds.For(target.Name, repository);
                    for (int i = 0; i < seeds.Count; i++)
                    {
                        File.WriteAllBytes(Path.Combine(dir, i.ToString("D3", CultureInfo.InvariantCulture) + ".bin"), seeds[i]);
                    }

                    Console.WriteLine($"{target.Name}: {seeds.Count} seeds in {dir}");
                }

                return 0;
            case ["replay", string name, .. string[] files] when files.Length > 0:
                return Replay(FuzzTargets.Get(name), files);
            case ["mutate", string name, string count] when int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int n):
                return Mutate(FuzzTargets.Get(name), FuzzSeeds.For(name, repository), n);
            case [string name] when FuzzTargets.All.Any(t => t.Name == name):
                FuzzTarget fuzzed = FuzzTargets.Get(name);
                // AFL++ feeds one input per iteration on stdin; any exception escaping Run is reported as a crash.
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    fuzzed.Run(buffer.ToArray());
                });
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 1;
        }
    }

    private static int Replay(FuzzTarget target, string[] files)
    {
        int failures = 0;
        foreach (string file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: ok");
            }
            catch (Exception ex)
            {
                failures++;
                Console.WriteLine($"{file}: {ex}");
            }
        }

        return failures == 0 ? 0 : 2;
    }

    private static int Mutate(FuzzTarget target, IReadOnlyList<byte[]> seeds, int count)
    {
        var clock = Stopwatch.StartNew();
        long executions = 0;
        foreach (byte[] input in seeds.Concat(Enumerable.Range(0, count).Select(i => FuzzMutator.Mutate(seeds, i))))
        {
            try
            {
                target.Run(input);
            }
            catch (Exception ex)
            {
                string file = Path.GetFullPath($"crash-{target.Name}-{executions.ToString(CultureInfo.InvariantCulture)}.bin");
                File.WriteAllBytes(file, input);
                Console.WriteLine($"{target.Name}: execution {executions}: {ex.GetType().FullName}: {ex.Message} (input in {file})");
                return 2;
            }

            executions++;
        }

        Console.WriteLine($"{target.Name}: {executions} executions in {clock.Elapsed.TotalSeconds:F1} s ({executions / clock.Elapsed.TotalSeconds:F0}/s), no finding");
        return 0;
    }
}
