using System.Security.Cryptography;
using System.Text;
using Gateway.Archive.Storage;

namespace Gateway.Archive.Keys;

/// <summary>
/// 256-bit key files: one line of base64, created once with owner-only permissions (0600 in a 0700 directory) and
/// refused when group or others may read them.
/// </summary>
internal static class KeyFiles
{
    public const int KeyLength = 32;
    private const int MaxKeyFileBytes = 1024;

    /// <summary>Reads the key at <paramref name="path"/>.</summary>
    /// <exception cref="ArchiveKeyException">The file is missing, readable by others, or not a 256-bit key.</exception>
    public static byte[] Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArchiveKeyException($"key file {path} does not exist");
        }

        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(path);
            const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & others) != 0)
            {
                throw new ArchiveKeyException($"key file {path} is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); it must be 0600");
            }
        }

        if (new FileInfo(path).Length > MaxKeyFileBytes)
        {
            throw new ArchiveKeyException($"key file {path} is too large to be a key");
        }

        return Parse(File.ReadAllText(path, Encoding.ASCII).Trim(), "key file " + path);
    }

    /// <summary>Decodes one base64 key.</summary>
    /// <exception cref="ArchiveKeyException">The text is not base64 of 32 bytes.</exception>
    public static byte[] Parse(string base64, string what)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new ArchiveKeyException($"{what} is not base64");
        }

        if (key.Length != KeyLength)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new ArchiveKeyException($"{what} must hold {KeyLength} bytes, not {key.Length}");
        }

        return key;
    }

    /// <summary>Creates a new random key at <paramref name="path"/> (0600, durable); fails when the file exists.</summary>
    /// <returns>The new key.</returns>
    public static byte[] Create(string path)
    {
        FileSync.CreateOwnerOnlyDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        byte[] key = RandomNumberGenerator.GetBytes(KeyLength);
        byte[] line = Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n");
        try
        {
            FileSync.WriteAtomically(path, line, overwrite: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(line);
        }

        return key;
    }

    /// <summary>Reads the key at <paramref name="path"/>, creating it first when missing and <paramref name="create"/> is set.</summary>
    public static byte[] ReadOrCreate(string path, bool create, out bool created)
    {
        created = false;
        if (!File.Exists(path) && create)
        {
            try
            {
                created = true;
                return Create(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs, so both agree on one key.
                created = false;
            }
        }

        return Read(path);
    }
}
