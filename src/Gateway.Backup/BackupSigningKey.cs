using System.Text;
using Gateway.Audit.Checkpoints;
using Gateway.Backup.Storage;

namespace Gateway.Backup;

/// <summary>
/// The Ed25519 key that signs snapshot manifests and drill reports: <c>DATA/backup/signing.key</c> (0600, in a 0700
/// directory; never in a snapshot) and its public key <c>signing.pub</c> (hand it to whoever must check a snapshot).
/// </summary>
public static class BackupSigningKey
{
    /// <summary>The private key's file name.</summary>
    public const string PrivateFileName = "signing.key";

    /// <summary>The public key's file name.</summary>
    public const string PublicFileName = "signing.pub";

    private const int MaxKeyFileBytes = 4096;

    /// <summary>The key directory of a data directory: <c>DATA/backup</c>.</summary>
    public static string DirectoryOf(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), "backup");

    /// <summary>Loads the signing key in <paramref name="directory"/>, creating it (and its public key) when missing.</summary>
    /// <exception cref="BackupException">The key file is readable by group or others, or malformed.</exception>
    public static NoteSigner LoadOrCreate(string directory)
    {
        string path = Path.Combine(directory, PrivateFileName);
        if (!File.Exists(path))
        {
            ImmutableFiles.CreateDirectory(directory);
            string name = Environment.MachineName.ToLowerInvariant().Replace('+', '-').Replace(' ', '-') + "/backup";
            NoteSigner created = NoteSigner.Generate(name);
            WritePrivate(path, created.Encode() + "\n");
            WritePrivate(Path.Combine(directory, PublicFileName), created.Verifier.Encode() + "\n");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)) != 0)
        {
            throw new BackupException($"backup signing key {path} is accessible by group or others; it must be 0600");
        }

        try
        {
            return NoteSigner.Parse(ReadBounded(path).Trim());
        }
        catch (FormatException ex)
        {
            throw new BackupException($"backup signing key {path} is malformed", ex);
        }
    }

    /// <summary>Reads a public key file (<c>NAME+KEYID+BASE64</c>).</summary>
    /// <exception cref="BackupException">The file is missing, too large, or not a verifier key.</exception>
    public static NoteVerifier ReadPublic(string path)
    {
        if (!File.Exists(path))
        {
            throw new BackupException($"no public key at {path}");
        }

        try
        {
            return NoteVerifier.Parse(ReadBounded(path).Trim());
        }
        catch (FormatException ex)
        {
            throw new BackupException($"{path} is not a backup public key", ex);
        }
    }

    private static string ReadBounded(string path)
    {
        if (new FileInfo(path).Length > MaxKeyFileBytes)
        {
            throw new BackupException($"{path} is too large to be a key");
        }

        return File.ReadAllText(path, Encoding.ASCII);
    }

    private static void WritePrivate(string path, string text)
    {
        using var stream = new FileStream(path, ImmutableFiles.NewPrivateFile());
        stream.Write(Encoding.ASCII.GetBytes(text));
        stream.Flush(flushToDisk: true);
    }
}
