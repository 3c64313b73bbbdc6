using System.Diagnostics;

namespace Gateway.Host.Tests.Support;

/// <summary>Clears the immutable attribute a backup repository sets (as root on ext4), so that a test can delete its directory.</summary>
internal static class ImmutableTree
{
    /// <summary><c>chattr -R -i PATH</c>; a missing tool or a file system without the attribute is no error here.</summary>
    public static void Clear(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        try
        {
            using Process? chattr = Process.Start(new ProcessStartInfo("chattr", ["-R", "-i", path]) { RedirectStandardError = true, RedirectStandardOutput = true });
            chattr?.WaitForExit(30_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>True when <c>lsattr</c> shows the immutable attribute on <paramref name="path"/>.</summary>
    public static bool IsImmutable(string path)
    {
        using Process lsattr = Process.Start(new ProcessStartInfo("lsattr", ["-d", path]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string output = lsattr.StandardOutput.ReadToEnd();
        lsattr.WaitForExit(30_000);
        return lsattr.ExitCode == 0 && output.Split(' ')[0].Contains('i', StringComparison.Ordinal);
    }
}
