using System.Diagnostics;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// A small tmpfs mounted over a directory, for a real full volume (ENOSPC). Mounting needs root, as the project's machines
/// and CI run; elsewhere the test fails saying so (like the archive's disk-full test), it never passes without a volume.
/// Unmounted (lazily, so a process that still holds a file cannot keep it) on dispose.
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (for example <c>16m</c>) over <paramref name="path"/> (created if needed).</summary>
    public static Tmpfs Mount(string path, string size)
    {
        Directory.CreateDirectory(path);
        (int code, string output) = Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", path);
        Assert.True(code == 0, $"this test mounts a tmpfs and needs root: mount -o size={size} failed ({code}): {output}");
        return new Tmpfs(path);
    }

    /// <summary>Gives the volume a new size: the operator extends the volume, space returns.</summary>
    public void Resize(string size)
    {
        (int code, string output) = Run("mount", "-o", $"remount,size={size}", Path);
        Assert.True(code == 0, $"mount -o remount,size={size} failed ({code}): {output}");
    }

    /// <summary>Writes a file of zeros named <paramref name="name"/> on the volume until the volume refuses (ENOSPC).</summary>
    /// <returns>The bytes written.</returns>
    public long Fill(string name)
    {
        byte[] block = new byte[4096];
        using var file = new FileStream(System.IO.Path.Combine(Path, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        long written = 0;
        try
        {
            while (true)
            {
                file.Write(block);
                written += block.Length;
            }
        }
        catch (IOException)
        {
            // ENOSPC: the volume is full.
        }

        return written;
    }

    /// <summary>Free bytes on the volume now.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose() => Run("umount", "-l", Path);

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
