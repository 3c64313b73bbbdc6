using System.Text;

namespace Gateway.Host.Tests.Support;

/// <summary>The operational log files of a test gateway (<c>ROOT/data/logs</c>), read while the gateway may still write them.</summary>
internal static class GatewayLogs
{
    /// <summary>Every log file's text, concatenated; empty when there is none yet.</summary>
    public static async Task<string> ReadAsync(string root)
    {
        string directory = Path.Combine(root, "data", "logs");
        if (!Directory.Exists(directory))
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            text.Append(await reader.ReadToEndAsync());
        }

        return text.ToString();
    }

    /// <summary>Polls until the logs contain <paramref name="text"/> or <paramref name="timeout"/> passes; returns the last read.</summary>
    public static async Task<string> WaitForAsync(string root, string text, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        string logs = await ReadAsync(root);
        while (!logs.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < end)
        {
            await Task.Delay(100);
            logs = await ReadAsync(root);
        }

        return logs;
    }
}
