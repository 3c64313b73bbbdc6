using System.Runtime.InteropServices;

namespace Gateway.Archive.Storage;

/// <summary>Durable names: fsync of the directory that holds an entry (POSIX; a no-op elsewhere), and owner-only creation.</summary>
/// <remarks>
/// Flushing a file makes its bytes durable, not its name: after a create, rename or unlink, a crash can still lose the
/// change until the directory itself is flushed. .NET cannot open a directory as a file, hence libc (as in
/// Gateway.Dicom.Network and Gateway.Audit).
/// </remarks>
internal static partial class FileSync
{
    /// <summary>Owner read and write: 0600.</summary>
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner read, write and search: 0700.</summary>
    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Flushes <paramref name="directory"/> to disk.</summary>
    /// <exception cref="IOException">The directory could not be opened or flushed.</exception>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        int fd = Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"cannot flush directory {directory} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> (and missing parents) when missing, the last one 0700, and flushes its parent so
    /// the new entry survives a crash. An existing directory is left as it is.
    /// </summary>
    /// <returns>True when the directory was created now.</returns>
    public static bool CreateOwnerOnlyDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return false;
        }

        string? parent = Path.GetDirectoryName(Path.GetFullPath(directory));
        if (parent is not null && !Directory.Exists(parent))
        {
            CreateOwnerOnlyDirectory(parent);
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }

        if (parent is not null)
        {
            FlushDirectory(parent);
        }

        return true;
    }

    /// <summary>Flushes an existing file's data and metadata to disk (fsync).</summary>
    public static void FlushFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Options that open an existing (empty, owner-only) file for writing, such as an object slot.</summary>
    public static FileStreamOptions ExistingPrivateFile() => new()
    {
        Mode = FileMode.Open,
        Access = FileAccess.Write,
        Share = FileShare.Read,
        BufferSize = 0,
    };

    /// <summary>Options that create a new file for writing, 0600 where the platform has permission bits.</summary>
    public static FileStreamOptions NewPrivateFile()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,

            // Readers may look (a backup, a scan for plaintext); .NET maps None to an exclusive flock that would stop them.
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        return options;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically and durably (0600): temp file, fsync, rename, directory fsync.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="overwrite">False to fail with <see cref="IOException"/> when <paramref name="path"/> exists.</param>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content, bool overwrite)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temp, NewPrivateFile()))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        FlushDirectory(directory);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
