using System.Globalization;
using System.Text.Json;

namespace Gateway.Backup.Manifest;

/// <summary>
/// Reads and writes manifests (<c>manifest.json</c>). Reading treats the input as hostile: the length is bounded before
/// anything is read, every count and string is bounded before it is kept, paths are confined to the data directory, and
/// any defect is a <see cref="SnapshotIntegrityException"/> with a one-line reason that never quotes the input.
/// </summary>
public static class ManifestSerializer
{
    /// <summary>The largest manifest read (enough for about two million files).</summary>
    public const long MaxManifestBytes = 512L * 1024 * 1024;

    /// <summary>The most files a manifest may list.</summary>
    public const int MaxFiles = 4_000_000;

    /// <summary>The longest path of a file in a manifest.</summary>
    public const int MaxPathLength = 512;

    private const int MaxTextLength = 256;
    private const int MaxChangedObjects = 100_000;

    /// <summary>Writes <paramref name="manifest"/> as compact UTF-8 JSON.</summary>
    public static byte[] Write(SnapshotManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", SnapshotManifest.FormatName);
            json.WriteString("id", manifest.Id);
            json.WriteString("createdAt", Time(manifest.CreatedAt));
            json.WriteString("retainUntil", Time(manifest.RetainUntil));
            json.WriteString("host", manifest.Host);
            json.WriteString("merkleRoot", manifest.MerkleRoot);
            json.WriteNumber("totalBytes", manifest.TotalBytes);
            json.WriteStartArray("changedObjects");
            foreach (string name in manifest.ChangedObjects)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteStartArray("files");
            foreach (ManifestEntry f in manifest.Files)
            {
                json.WriteStartObject();
                json.WriteString("path", f.Path);
                json.WriteString("sha256", f.Sha256);
                json.WriteNumber("size", f.Size);
                json.WriteNumber("mtime", f.ModifiedTicks);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Parses and checks a manifest: format, fields, limits, path rules, order, and its Merkle root.</summary>
    /// <exception cref="SnapshotIntegrityException">The bytes are not a valid manifest.</exception>
    public static SnapshotManifest Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxManifestBytes)
        {
            throw Bad($"is larger than {MaxManifestBytes} bytes");
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 4, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            return ParseCore(ref reader);
        }
        catch (JsonException ex)
        {
            // The reader's message can quote the input; give the position only.
            throw new SnapshotIntegrityException(
                string.Create(CultureInfo.InvariantCulture, $"manifest is not valid JSON (byte {reader.BytesConsumed})"), ex);
        }
    }

    /// <summary>Checks a manifest path: relative, forward slashes, no empty, <c>.</c> or <c>..</c> segment, printable ASCII.</summary>
    public static bool IsSafePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length is 0 or > MaxPathLength || path[0] == '/' || path.Any(c => c is < '!' or > '~' or '\\' or ':'))
        {
            return false;
        }

        foreach (string segment in path.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    private static SnapshotManifest ParseCore(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "must be a JSON object");
        string? format = null, id = null, host = null, root = null;
        DateTimeOffset? created = null, retain = null;
        long? totalBytes = null;
        List<ManifestEntry>? files = null;
        List<string>? changed = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                throw Bad("has a malformed object");
            }

            string name = reader.ValueTextEquals("format"u8) ? "format"
                : reader.ValueTextEquals("id"u8) ? "id"
                : reader.ValueTextEquals("createdAt"u8) ? "createdAt"
                : reader.ValueTextEquals("retainUntil"u8) ? "retainUntil"
                : reader.ValueTextEquals("host"u8) ? "host"
                : reader.ValueTextEquals("merkleRoot"u8) ? "merkleRoot"
                : reader.ValueTextEquals("totalBytes"u8) ? "totalBytes"
                : reader.ValueTextEquals("changedObjects"u8) ? "changedObjects"
                : reader.ValueTextEquals("files"u8) ? "files"
                : throw Bad("has an unknown field");
            Next(ref reader);
            switch (name)
            {
                case "format": format = Text(ref reader, name, MaxTextLength); break;
                case "id": id = Text(ref reader, name, MaxTextLength); break;
                case "host": host = Text(ref reader, name, MaxTextLength); break;
                case "merkleRoot": root = Text(ref reader, name, 64); break;
                case "createdAt": created = Time(ref reader, name); break;
                case "retainUntil": retain = Time(ref reader, name); break;
                case "totalBytes": totalBytes = Number(ref reader, name); break;
                case "changedObjects": changed = Names(ref reader); break;
                default: files = Files(ref reader); break;
            }
        }

        if (format != SnapshotManifest.FormatName)
        {
            throw Bad("is not a gateway-backup-manifest/1 document");
        }

        if (id is null || !SnapshotId.IsValid(id) || host is null || root is null || created is null || retain is null || totalBytes is null || files is null)
        {
            throw Bad("lacks a required field (format, id, createdAt, retainUntil, host, merkleRoot, totalBytes, files) or has an invalid id");
        }

        var manifest = new SnapshotManifest
        {
            Id = id,
            CreatedAt = created.Value,
            RetainUntil = retain.Value,
            Host = host,
            Files = files,
            MerkleRoot = root,
            ChangedObjects = changed ?? [],
        };
        if (manifest.TotalBytes != totalBytes)
        {
            throw Bad("totalBytes is not the sum of the file sizes");
        }

        if (ManifestMerkle.Root(files) != root)
        {
            throw Bad("merkleRoot does not match its files");
        }

        return manifest;
    }

    private static List<ManifestEntry> Files(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad("files must be an array");
        }

        var files = new List<ManifestEntry>();
        string? previous = null;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (files.Count >= MaxFiles)
            {
                throw Bad($"lists more than {MaxFiles} files");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Bad("files must hold objects");
            }

            string? path = null, sha = null;
            long? size = null, mtime = null;
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    throw Bad("has a malformed file entry");
                }

                if (reader.ValueTextEquals("path"u8))
                {
                    Next(ref reader);
                    path = Text(ref reader, "path", MaxPathLength);
                }
                else if (reader.ValueTextEquals("sha256"u8))
                {
                    Next(ref reader);
                    sha = Text(ref reader, "sha256", 64);
                }
                else if (reader.ValueTextEquals("size"u8))
                {
                    Next(ref reader);
                    size = Number(ref reader, "size");
                }
                else if (reader.ValueTextEquals("mtime"u8))
                {
                    Next(ref reader);
                    mtime = Number(ref reader, "mtime");
                }
                else
                {
                    throw Bad("has an unknown field in a file entry");
                }
            }

            int index = files.Count;
            if (path is null || sha is null || size is null || mtime is null)
            {
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"file {index} lacks path, sha256, size or mtime"));
            }

            if (!IsSafePath(path))
            {
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"file {index} has a path outside the data directory or with forbidden characters"));
            }

            if (!IsSha256(sha))
            {
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"file {index} has a sha256 that is not 64 lowercase hex digits"));
            }

            if (previous is not null && string.CompareOrdinal(previous, path) >= 0)
            {
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"file {index} is out of order or a duplicate"));
            }

            previous = path;
            files.Add(new ManifestEntry(path, sha, size.Value, mtime.Value));
        }

        return files;
    }

    private static List<string> Names(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad("changedObjects must be an array");
        }

        var names = new List<string>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (names.Count >= MaxChangedObjects)
            {
                throw Bad($"lists more than {MaxChangedObjects} changed objects");
            }

            string name = Text(ref reader, "changedObjects", 32);
            if (name.Length != 32 || !name.All(char.IsAsciiHexDigitLower))
            {
                throw Bad("changedObjects must hold object names (32 lowercase hex digits)");
            }

            names.Add(name);
        }

        return names;
    }

    internal static bool IsSha256(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw Bad("is truncated");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string problem)
    {
        if (Next(ref reader) != type)
        {
            throw Bad(problem);
        }
    }

    private static string Text(ref Utf8JsonReader reader, string field, int maxLength)
    {
        // Bounded before the string is materialised: a hostile 100 MB string costs nothing.
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > maxLength * 6)
        {
            throw Bad($"{field} must be a string of at most {maxLength} characters");
        }

        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader checks a string's UTF-8 only when it is transcoded (found by the backup-manifest fuzz target).
            throw new SnapshotIntegrityException($"manifest {field} is not valid UTF-8", ex);
        }

        return value.Length <= maxLength ? value : throw Bad($"{field} must be a string of at most {maxLength} characters");
    }

    private static long Number(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) && value >= 0
            ? value
            : throw Bad($"{field} must be a non-negative integer");

    private static DateTimeOffset Time(ref Utf8JsonReader reader, string field)
    {
        string text = Text(ref reader, field, 40);
        return DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset t)
            ? t
            : throw Bad($"{field} must be a UTC time yyyy-MM-ddTHH:mm:ss.fffZ");
    }

    /// <summary>Formats a time as the manifest writes it: UTC, milliseconds.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static SnapshotIntegrityException Bad(string problem) => new("manifest " + problem);
}
