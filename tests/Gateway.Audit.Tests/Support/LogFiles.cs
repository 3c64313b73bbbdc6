namespace Gateway.Audit.Tests.Support;

/// <summary>Copies of a log's files, as a crash or a backup would leave them.</summary>
internal static class LogFiles
{
    /// <summary>Copies every file of <paramref name="from"/> (but the writer's lock) to <paramref name="to"/>.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from).Where(f => Path.GetFileName(f) != "lock"))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (string directory in Directory.GetDirectories(from))
        {
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    /// <summary>Appends <paramref name="count"/> transfer records from <paramref name="writers"/> concurrent writers.</summary>
    public static Task AppendManyAsync(AuditLog log, int count, int writers = 16)
    {
        int next = -1;
        return Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                await log.AppendAsync(SampleRecords.Transfer(n));
            }
        }));
    }
}
