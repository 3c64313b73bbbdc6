using System.Text;

namespace Gateway.Audit.Storage;

/// <summary>Key files: created once with owner-only permissions (0600 in a 0700 directory), refused when others can read them.</summary>
internal static class SecretFiles
{
    /// <summary>Owner read and write: 0600.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    // A data key ring of AuditDataKey.MaxKeys lines fits.
    private const int MaxSecretFileBytes = 64 * 1024;

    /// <summary>Replaces the secret file at <paramref name="path"/> atomically (temp file 0600, fsync, rename, fsync of the directory).</summary>
    public static void Replace(string path, string text) =>
        FileSync.WriteAtomically(path, Encoding.UTF8.GetBytes(text + "\n"), OwnerOnly);

    /// <summary>Reads the secret at <paramref name="path"/>, or creates it with <paramref name="create"/> when missing.</summary>
    /// <returns>The line, and whether the file was created now.</returns>
    public static (string Text, bool Created) ReadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path))
        {
            return (Read(path), false);
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        FileSync.CreateOwnerOnlyDirectory(directory);
        string text = create();
        string temp = path + ".new-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temp, FileSync.CreateOptions(FileMode.CreateNew, OwnerOnly)))
            {
                stream.Write(Encoding.UTF8.GetBytes(text + "\n"));
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs, so both agree on one key.
                return (Read(path), false);
            }

            FileSync.FlushDirectory(directory);
            return (text, true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Reads the secret at <paramref name="path"/>, refusing a file that group or others may read.</summary>
    /// <exception cref="AuditLogException">The file is missing, too large, or readable by others.</exception>
    public static string Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new AuditLogException($"key file {path} does not exist");
        }

        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(path);
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & others) != 0)
            {
                throw new AuditLogException($"key file {path} is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); it must be 0600");
            }
        }

        var info = new FileInfo(path);
        if (info.Length > MaxSecretFileBytes)
        {
            throw new AuditLogException($"key file {path} is too large to be a key");
        }

        return File.ReadAllText(path, Encoding.UTF8).Trim();
    }
}
