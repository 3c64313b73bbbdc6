namespace Gateway.Archive.Tests.Support;

/// <summary>
/// The entry point of this test assembly when it runs as a child process (the test runner does not use it):
/// <c>dotnet Gateway.Archive.Tests.dll crash-worker DATA</c> stores instances until it is killed (the crash test);
/// <c>dotnet Gateway.Archive.Tests.dll bench [COUNT] [BYTES] [CONCURRENCY] [DIR]</c> measures store throughput.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "crash-worker")
        {
            await CrashWorker.RunAsync(args[1]);
            return 0;
        }

        if (args.Length >= 1 && args[0] == "bench")
        {
            return await ArchiveBench.RunAsync(args[1..]);
        }

        return 2;
    }
}
