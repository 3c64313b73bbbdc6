using System.Runtime.InteropServices;

namespace Gateway.Dicom.Network.Services;

/// <summary>Makes a rename durable: fsync of the directory that holds the entry (POSIX; a no-op elsewhere).</summary>
/// <remarks>
/// Flushing a file makes its bytes durable, not its name: after <c>rename</c>, a crash can still lose the new directory
/// entry until the directory itself is flushed. .NET cannot open a directory as a file, hence libc.
/// </remarks>
internal static partial class DirectorySync
{
    /// <summary>Flushes <paramref name="directory"/> to disk.</summary>
    /// <exception cref="IOException">The directory could not be opened or flushed.</exception>
    public static void Flush(string directory)
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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
