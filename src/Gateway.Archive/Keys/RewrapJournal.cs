using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Archive.Crypto;
using Gateway.Archive.Storage;

namespace Gateway.Archive.Keys;

/// <summary>
/// The rewrap journal of a key rotation: every object's data key wrapped under the rotation's new key-encryption key
/// version, so that an index rebuild can still read an object whose header wraps its key under a version the rotation
/// retired. Written before the rotation re-wraps any row (temporary file, fsync, rename, directory fsync); one file per
/// version, <c>archive/rewrap/kek-N.journal</c>; a newer journal replaces the older ones (it holds every object then indexed).
/// </summary>
/// <remarks>
/// <code>
/// 0  4  magic "GWRJ"
/// 4  1  format version (1)
/// 5  3  zero
/// 8  4  key-encryption key version every entry is wrapped under (u32, big endian)
/// 12 8  entry count N (u64, big endian)
/// 20    N entries of 56 bytes, strictly ascending by object id: object id (16) || wrapped data key (40, RFC 3394)
/// </code>
/// Nothing in it is secret (the keys are wrapped, as in the index) and it needs no checksum: a wrapped key that was altered
/// does not unwrap, and one moved to another object's entry fails that object's GCM tags. Look-ups are a binary search
/// on the file: memory does not grow with the archive.
/// </remarks>
internal static partial class RewrapJournal
{
    public const string DirectoryName = "rewrap";
    public const int EntryLength = ObjectFormat.ObjectIdLength + ObjectFormat.WrappedKeyLength;
    private const int HeaderLength = 20;
    private const byte FormatVersion = 1;

    /// <summary>The most entries a journal may declare (checked before its length is trusted).</summary>
    private const long MaxEntries = 1L << 36;

    private static ReadOnlySpan<byte> Magic => "GWRJ"u8;

    /// <summary>The file name of the journal of version <paramref name="version"/>.</summary>
    public static string FileName(int version) => string.Create(CultureInfo.InvariantCulture, $"kek-{version}.journal");

    /// <summary>The versions of the journals in <paramref name="directory"/>, newest first.</summary>
    public static IReadOnlyList<int> ListVersions(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var versions = new List<int>();
        foreach (string path in Directory.EnumerateFiles(directory, "kek-*.journal"))
        {
            Match m = JournalFileName().Match(Path.GetFileName(path));
            if (m.Success && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0)
            {
                versions.Add(v);
            }
        }

        versions.Sort((a, b) => b.CompareTo(a));
        return versions;
    }

    /// <summary>
    /// Writes the journal of <paramref name="version"/> durably (temporary file, fsync, rename, directory fsync), then
    /// removes the journals of older versions.
    /// </summary>
    /// <param name="directory">The journal directory (created 0700 when missing).</param>
    /// <param name="version">The version every entry is wrapped under.</param>
    /// <param name="entries">Object id and wrapped key, in strictly ascending object id order.</param>
    /// <returns>The number of entries written.</returns>
    public static long Write(string directory, int version, IEnumerable<(byte[] ObjectId, byte[] WrappedKey)> entries)
    {
        FileSync.CreateOwnerOnlyDirectory(directory);
        string path = Path.Combine(directory, FileName(version));
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        long count = 0;
        try
        {
            FileStreamOptions options = FileSync.NewPrivateFile();
            options.BufferSize = 64 * 1024;
            using (var file = new FileStream(temp, options))
            {
                file.Write(Header(version, 0));
                byte[]? previous = null;
                foreach ((byte[] id, byte[] wrapped) in entries)
                {
                    if (id.Length != ObjectFormat.ObjectIdLength || wrapped.Length != ObjectFormat.WrappedKeyLength)
                    {
                        throw new ArgumentException("a journal entry has an object id or wrapped key of the wrong length", nameof(entries));
                    }

                    if (previous is not null && previous.AsSpan().SequenceCompareTo(id) >= 0)
                    {
                        throw new ArgumentException("journal entries must be in strictly ascending object id order", nameof(entries));
                    }

                    file.Write(id);
                    file.Write(wrapped);
                    previous = id;
                    count++;
                }

                file.Position = 0;
                file.Write(Header(version, count));
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        FileSync.FlushDirectory(directory);
        bool removed = false;
        foreach (int older in ListVersions(directory).Where(v => v < version))
        {
            File.Delete(Path.Combine(directory, FileName(older)));
            removed = true;
        }

        if (removed)
        {
            FileSync.FlushDirectory(directory);
        }

        return count;
    }

    private static byte[] Header(int version, long count)
    {
        byte[] header = new byte[HeaderLength];
        Magic.CopyTo(header);
        header[4] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), (uint)version);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(12), (ulong)count);
        return header;
    }

    [GeneratedRegex("^kek-([0-9]{1,9})\\.journal$", RegexOptions.CultureInvariant)]
    private static partial Regex JournalFileName();

    /// <summary>An open journal: look-ups by object id.</summary>
    public sealed class Reader : IDisposable
    {
        private readonly FileStream _file;
        private readonly long _count;
        private readonly byte[] _entry = new byte[EntryLength];

        private Reader(FileStream file, int version, long count)
        {
            _file = file;
            Version = version;
            _count = count;
        }

        /// <summary>The version every entry is wrapped under.</summary>
        public int Version { get; }

        /// <summary>Opens and checks a journal: its header, and a length that matches its entry count.</summary>
        /// <exception cref="ArchiveIntegrityException">The file is not a rewrap journal, or is truncated.</exception>
        public static Reader Open(string path)
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
            try
            {
                byte[] header = new byte[HeaderLength];
                if (file.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false) < HeaderLength || !header.AsSpan(0, 4).SequenceEqual(Magic))
                {
                    throw new ArchiveIntegrityException($"{Path.GetFileName(path)} is not a rewrap journal");
                }

                if (header[4] != FormatVersion || header[5] != 0 || header[6] != 0 || header[7] != 0)
                {
                    throw new ArchiveIntegrityException($"rewrap journal {Path.GetFileName(path)} has an unsupported format version {header[4]}");
                }

                uint version = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
                ulong count = BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(12));
                if (version is 0 or > int.MaxValue || count > MaxEntries || file.Length != HeaderLength + ((long)count * EntryLength))
                {
                    throw new ArchiveIntegrityException($"rewrap journal {Path.GetFileName(path)} is truncated or its header is out of range");
                }

                return new Reader(file, (int)version, (long)count);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        /// <summary>The wrapped key of <paramref name="objectId"/>, or null when the journal has none.</summary>
        public byte[]? Find(ReadOnlySpan<byte> objectId)
        {
            // One position and one entry buffer: an index rebuild looks keys up from several workers.
            lock (_file)
            {
                return FindLocked(objectId);
            }
        }

        private byte[]? FindLocked(ReadOnlySpan<byte> objectId)
        {
            long low = 0;
            long high = _count - 1;
            while (low <= high)
            {
                long middle = low + ((high - low) / 2);
                _file.Position = HeaderLength + (middle * EntryLength);
                _file.ReadExactly(_entry);
                int order = _entry.AsSpan(0, ObjectFormat.ObjectIdLength).SequenceCompareTo(objectId);
                if (order == 0)
                {
                    return _entry.AsSpan(ObjectFormat.ObjectIdLength).ToArray();
                }

                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return null;
        }

        /// <inheritdoc />
        public void Dispose() => _file.Dispose();
    }
}
