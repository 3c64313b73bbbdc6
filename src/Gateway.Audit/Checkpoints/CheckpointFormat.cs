using System.Globalization;
using System.Text;

namespace Gateway.Audit.Checkpoints;

/// <summary>
/// The checkpoint text, after C2SP tlog-checkpoint: origin line, decimal tree size, base64 root hash, then one extension
/// line <c>time YYYY-MM-DDTHH:MM:SS.fffZ</c>; every line ends with a newline. The text is signed as a C2SP signed note.
/// </summary>
public static class CheckpointFormat
{
    private const string TimePrefix = "time ";
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The checkpoint body (the note text that is signed).</summary>
    public static string Format(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        NoteKeys.CheckName(checkpoint.Origin);
        if (checkpoint.Root.Length != Merkle.MerkleHasher.HashSize || checkpoint.Size < 0)
        {
            throw new ArgumentException("a checkpoint needs a 32-byte root and a non-negative size", nameof(checkpoint));
        }

        var text = new StringBuilder();
        text.Append(checkpoint.Origin).Append('\n');
        text.Append(checkpoint.Size.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append(Convert.ToBase64String(checkpoint.Root)).Append('\n');
        text.Append(TimePrefix).Append(checkpoint.Time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>Parses a checkpoint body (the verified note text).</summary>
    /// <exception cref="FormatException">Not a checkpoint of this format.</exception>
    public static Checkpoint Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!body.EndsWith('\n'))
        {
            throw new FormatException("checkpoint text does not end with a newline");
        }

        string[] lines = body[..^1].Split('\n');
        if (lines.Length != 4)
        {
            throw new FormatException($"checkpoint text has {lines.Length} lines, expected 4 (origin, size, root, time)");
        }

        NoteKeys.CheckName(lines[0]);
        if (lines[1].Length is 0 or > 19 || lines[1].Any(c => c is < '0' or > '9') || (lines[1].Length > 1 && lines[1][0] == '0')
            || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size))
        {
            throw new FormatException("checkpoint size is not a canonical decimal number");
        }

        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException ex)
        {
            throw new FormatException("checkpoint root is not base64", ex);
        }

        if (root.Length != Merkle.MerkleHasher.HashSize || Convert.ToBase64String(root) != lines[2])
        {
            throw new FormatException("checkpoint root is not a canonical base64 SHA-256 hash");
        }

        if (!lines[3].StartsWith(TimePrefix, StringComparison.Ordinal)
            || !DateTime.TryParseExact(lines[3][TimePrefix.Length..], TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime time))
        {
            throw new FormatException("checkpoint time line is not 'time YYYY-MM-DDTHH:MM:SS.fffZ'");
        }

        return new Checkpoint(lines[0], size, root, new DateTimeOffset(time, TimeSpan.Zero));
    }
}
