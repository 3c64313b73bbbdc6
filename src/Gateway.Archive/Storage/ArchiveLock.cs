namespace Gateway.Archive.Storage;

/// <summary>
/// The archive's process lock: an exclusive advisory lock on <c>archive/.lock</c>, held while a store is open, so that
/// reconciliation (which deletes unreferenced object files) and key rotation never run beside a live gateway.
/// </summary>
internal sealed class ArchiveLock : IDisposable
{
    private readonly FileStream _file;

    private ArchiveLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, or fails at once when another store holds it.</summary>
    /// <exception cref="ArchiveInUseException">Another process (or another store in this one) has the archive open.</exception>
    public static ArchiveLock Acquire(string archiveDirectory)
    {
        string path = Path.Combine(archiveDirectory, ".lock");
        try
        {
            // On Unix, .NET maps FileShare.None to flock(LOCK_EX | LOCK_NB): released by the kernel when the process dies.
            var options = new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileSync.OwnerOnlyFile;
            }

            return new ArchiveLock(new FileStream(path, options));
        }
        catch (IOException ex)
        {
            throw new ArchiveInUseException($"the archive at {archiveDirectory} is open in another process (is the gateway running?)", ex);
        }
    }

    public void Dispose() => _file.Dispose();
}
