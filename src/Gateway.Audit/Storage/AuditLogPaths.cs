using System.Globalization;

namespace Gateway.Audit.Storage;

/// <summary>
/// The files of one audit log directory:
/// <code>
/// DIR/                      0700
///   lock                    held (exclusively) by the one writer
///   segments/NNNN....seg    append-only record segments, named by the 20-digit index of their first record
///   checkpoints/checkpoints.log   append-only signed checkpoints
///   checkpoints/frontier    the Merkle frontier at the latest checkpoint (two slots), so that opening is not O(n)
///   keys/signing.key        Ed25519 note private key, 0600 (default location)
///   keys/signing.pub        its verifier key (public)
///   keys/data.key           the data key, 0600 (default location; better kept elsewhere, see --key-file)
///   forward/NAME.cursor     syslog forwarding cursors
/// </code>
/// </summary>
public sealed class AuditLogPaths
{
    /// <summary>The layout under <paramref name="directory"/>.</summary>
    public AuditLogPaths(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Root = Path.GetFullPath(directory);
    }

    /// <summary>The audit log directory.</summary>
    public string Root { get; }

    /// <summary>The writer's lock file.</summary>
    public string Lock => Path.Combine(Root, "lock");

    /// <summary>The segment directory.</summary>
    public string Segments => Path.Combine(Root, "segments");

    /// <summary>The checkpoint directory.</summary>
    public string CheckpointDirectory => Path.Combine(Root, "checkpoints");

    /// <summary>The checkpoint file.</summary>
    public string Checkpoints => Path.Combine(CheckpointDirectory, "checkpoints.log");

    /// <summary>The saved Merkle frontier (see <see cref="FrontierFile"/>).</summary>
    public string Frontier => Path.Combine(CheckpointDirectory, "frontier");

    /// <summary>The key directory.</summary>
    public string Keys => Path.Combine(Root, "keys");

    /// <summary>Default signing key file.</summary>
    public string SigningKey => Path.Combine(Keys, "signing.key");

    /// <summary>The exported verifier (public) key.</summary>
    public string PublicKey => Path.Combine(Keys, "signing.pub");

    /// <summary>Default data key file.</summary>
    public string DataKey => Path.Combine(Keys, "data.key");

    /// <summary>The forwarding cursor directory.</summary>
    public string Forward => Path.Combine(Root, "forward");

    /// <summary>The file of the segment whose first record is <paramref name="firstIndex"/>.</summary>
    public string Segment(long firstIndex) =>
        Path.Combine(Segments, firstIndex.ToString("D20", CultureInfo.InvariantCulture) + ".seg");

    /// <summary>The segments, ordered by first index.</summary>
    /// <exception cref="AuditLogException">A file in the segment directory is not a segment.</exception>
    public IReadOnlyList<(long FirstIndex, string Path)> ListSegments()
    {
        if (!Directory.Exists(Segments))
        {
            return [];
        }

        var segments = new List<(long, string)>();
        foreach (string file in Directory.EnumerateFiles(Segments))
        {
            string name = Path.GetFileName(file);
            if (name.Length != 24 || !name.EndsWith(".seg", StringComparison.Ordinal)
                || !long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out long first))
            {
                throw new AuditLogException($"unexpected file in the segment directory: {name}");
            }

            segments.Add((first, file));
        }

        segments.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return segments;
    }
}
