using System.Runtime.InteropServices;

namespace Gateway.Backup.Storage;

/// <summary>
/// Write-once files for the repository: written to a temporary name, flushed, renamed into place, made read-only, and
/// given the Linux immutable attribute (<c>chattr +i</c>, <c>FS_IOC_SETFLAGS</c>) where the process may set it.
/// </summary>
/// <remarks>
/// Read-only permissions stop a mistaken overwrite by an ordinary user; only the immutable attribute stops root (who can
/// still clear it: a host-level attacker needs an off-host copy, S3 Object Lock, later). File systems that do not know the
/// attribute (tmpfs, overlayfs) and processes without CAP_LINUX_IMMUTABLE answer with an error; the file then stays
/// read-only only, and <see cref="Seal"/> says so.
/// </remarks>
internal static partial class ImmutableFiles
{
    private const uint FsIocGetFlags = 0x80086601;
    private const uint FsIocSetFlags = 0x40086602;
    private const int FsImmutableFlag = 0x10;

    /// <summary>Owner read and write: 0600.</summary>
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner read, write and search: 0700.</summary>
    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode ReadOnlyFile = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ReadOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="directory"/> (and missing parents) 0700 when missing, and flushes its parent.</summary>
    public static void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        string? parent = Path.GetDirectoryName(Path.GetFullPath(directory));
        if (parent is not null && !Directory.Exists(parent))
        {
            CreateDirectory(parent);
        }

        CreateOwnerOnly(directory);
        if (parent is not null)
        {
            FlushDirectory(parent);
        }
    }

    /// <summary>Options that create a new private file for writing.</summary>
    public static FileStreamOptions NewPrivateFile()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        return options;
    }

    /// <summary>Creates one directory 0700 (no parent flush; a <see cref="SyncFileSystem"/> follows).</summary>
    public static void CreateOwnerOnly(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }
    }

    /// <summary>Sets permission bits where the platform has them.</summary>
    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> once: temporary file, fsync, rename (never over an
    /// existing file), directory fsync, then <see cref="Seal"/>.
    /// </summary>
    /// <returns>True when the immutable attribute was set.</returns>
    /// <exception cref="IOException"><paramref name="path"/> exists, or the write failed.</exception>
    public static bool WriteOnce(string path, ReadOnlySpan<byte> content)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temp = Path.Combine(directory, "." + Path.GetFileName(path) + ".tmp-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (var stream = new FileStream(temp, NewPrivateFile()))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: false);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        FlushDirectory(directory);
        return Seal(path);
    }

    /// <summary>Makes a file 0444 (a directory 0500) and sets its immutable attribute where permitted.</summary>
    /// <returns>True when the immutable attribute is set.</returns>
    public static bool Seal(string path)
    {
        SetMode(path, Directory.Exists(path) ? ReadOnlyDirectory : ReadOnlyFile);
        return SetImmutable(path, true);
    }

    /// <summary>Clears the immutable attribute and makes the entry writable by its owner again (prune only).</summary>
    public static void Unseal(string path)
    {
        SetImmutable(path, false);
        SetMode(path, Directory.Exists(path) ? OwnerOnlyDirectory : OwnerOnlyFile);
    }

    /// <summary>True when <paramref name="path"/> carries the immutable attribute.</summary>
    public static bool IsImmutable(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        int fd = Open(path, 0);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            int flags = 0;
            return Ioctl(fd, FsIocGetFlags, ref flags) == 0 && (flags & FsImmutableFlag) != 0;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Flushes <paramref name="directory"/> (its entries) to disk.</summary>
    /// <exception cref="IOException">The directory could not be opened or flushed.</exception>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
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
    /// Flushes everything written to the file system that holds <paramref name="path"/> (<c>syncfs</c>): one flush for a
    /// snapshot's many new blobs instead of one per file.
    /// </summary>
    /// <exception cref="IOException">The flush failed.</exception>
    public static void SyncFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = Open(path, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} to flush its file system (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (SyncFs(fd) != 0)
            {
                throw new IOException($"cannot flush the file system of {path} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // Best effort: EPERM (no CAP_LINUX_IMMUTABLE), ENOTTY/EOPNOTSUPP (tmpfs, overlayfs) leave the attribute unset.
    private static bool SetImmutable(string path, bool immutable)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        int fd = Open(path, 0);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            int flags = 0;
            if (Ioctl(fd, FsIocGetFlags, ref flags) != 0)
            {
                return false;
            }

            int wanted = immutable ? flags | FsImmutableFlag : flags & ~FsImmutableFlag;
            return (wanted == flags || Ioctl(fd, FsIocSetFlags, ref wanted) == 0) && immutable;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, ref int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
