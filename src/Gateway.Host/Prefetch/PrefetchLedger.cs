using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Host.Prefetch;

/// <summary>
/// Which studies were already prefetched to which device, so that they are not fetched again: kept as keyed hashes
/// (HMAC-SHA256 of device and Study Instance UID under a random key of the ledger's own), never as UIDs, in an
/// append-only file that survives restarts.
/// </summary>
/// <remarks>
/// <para>Files, in a 0700 directory: <c>ledger.key</c> (0600, base64 of 32 random bytes) and <c>ledger</c> (0600), one
/// line per study: 64 hex digits of the hash, a space, the Unix time in seconds it was remembered. Each line is
/// appended and flushed to disk before <see cref="Remember"/> returns.</para>
/// <para>Reading is for a file anybody could have damaged: a line that is not exactly that (a torn tail after a crash,
/// garbage) is skipped; at most <see cref="MaxEntries"/> entries are kept (the oldest go); entries older than the
/// remembering time are dropped. The file is rewritten (temporary file, fsync, rename) when anything was dropped.</para>
/// </remarks>
internal sealed class PrefetchLedger : IDisposable
{
    /// <summary>The most studies remembered.</summary>
    public const int MaxEntries = 1_000_000;

    private const string KeyFile = "ledger.key";
    private const string LedgerFile = "ledger";
    private const int LineLength = 64 + 1 + 20;

    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly byte[] _key;
    private readonly TimeSpan _rememberFor;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, long> _entries;
    private FileStream _append;

    private PrefetchLedger(string path, byte[] key, TimeSpan rememberFor, TimeProvider time, Dictionary<string, long> entries, FileStream append)
    {
        _path = path;
        _key = key;
        _rememberFor = rememberFor;
        _time = time;
        _entries = entries;
        _append = append;
    }

    /// <summary>Studies remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Opens (or creates) the ledger in <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">The files cannot be read or written.</exception>
    public static PrefetchLedger Open(string directory, TimeSpan rememberFor, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string path = Path.Combine(directory, LedgerFile);
        byte[] key = ReadOrCreateKey(Path.Combine(directory, KeyFile), path);
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        long oldest = now - (long)rememberFor.TotalSeconds;
        (Dictionary<string, long> entries, bool dropped) = Read(path, oldest);
        if (entries.Count > MaxEntries)
        {
            foreach (string hash in entries.OrderBy(e => e.Value).Take(entries.Count - MaxEntries).Select(e => e.Key).ToList())
            {
                entries.Remove(hash);
            }

            dropped = true;
        }

        if (dropped)
        {
            Rewrite(path, entries);
        }

        return new PrefetchLedger(path, key, rememberFor, time, entries, OpenAppend(path));
    }

    /// <summary>True when <paramref name="studyInstanceUid"/> was prefetched to <paramref name="device"/> within the remembering time.</summary>
    public bool Contains(string device, string studyInstanceUid)
    {
        string hash = Hash(device, studyInstanceUid);
        long oldest = _time.GetUtcNow().ToUnixTimeSeconds() - (long)_rememberFor.TotalSeconds;
        lock (_lock)
        {
            return _entries.TryGetValue(hash, out long at) && at >= oldest;
        }
    }

    /// <summary>Remembers that <paramref name="studyInstanceUid"/> was prefetched to <paramref name="device"/>; durable on return.</summary>
    public void Remember(string device, string studyInstanceUid)
    {
        string hash = Hash(device, studyInstanceUid);
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        byte[] line = Encoding.ASCII.GetBytes(hash + " " + now.ToString(CultureInfo.InvariantCulture) + "\n");
        lock (_lock)
        {
            if (_entries.Count >= MaxEntries && !_entries.ContainsKey(hash))
            {
                _entries.Remove(_entries.MinBy(e => e.Value).Key);
                _append.Dispose();
                Rewrite(_path, _entries);
                _append = OpenAppend(_path);
            }

            _append.Write(line);
            _append.Flush(flushToDisk: true);
            _entries[hash] = now;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _append.Dispose();
            CryptographicOperations.ZeroMemory(_key);
        }
    }

    private string Hash(string device, string studyInstanceUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(device);
        ArgumentException.ThrowIfNullOrEmpty(studyInstanceUid);
        byte[] input = Encoding.UTF8.GetBytes("prefetch v1\0" + device.Trim() + "\0" + studyInstanceUid.Trim());
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, input));
    }

    private static (Dictionary<string, long> Entries, bool Dropped) Read(string path, long oldest)
    {
        var entries = new Dictionary<string, long>(StringComparer.Ordinal);
        bool dropped = false;
        if (!File.Exists(path))
        {
            return (entries, false);
        }

        using var reader = new StreamReader(path, Encoding.ASCII, detectEncodingFromByteOrderMarks: false);
        var line = new StringBuilder(LineLength);
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c != '\n')
            {
                // A line longer than any valid one is garbage: keep reading to its end, then drop it.
                if (line.Length <= LineLength)
                {
                    line.Append((char)c);
                }

                continue;
            }

            dropped |= !Accept(line.ToString(), oldest, entries);
            line.Clear();
        }

        // An unterminated last line is a torn append.
        return (entries, dropped || line.Length > 0);
    }

    private static bool Accept(string line, long oldest, Dictionary<string, long> entries)
    {
        if (line.Length < 66 || line.Length > LineLength || line[64] != ' '
            || !IsLowerHex(line.AsSpan(0, 64))
            || !long.TryParse(line.AsSpan(65), NumberStyles.None, CultureInfo.InvariantCulture, out long at)
            || at < oldest)
        {
            return false;
        }

        string hash = line[..64];
        entries[hash] = Math.Max(at, entries.GetValueOrDefault(hash));
        return true;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] ReadOrCreateKey(string keyPath, string ledgerPath)
    {
        if (File.Exists(keyPath))
        {
            string text = File.ReadAllText(keyPath).Trim();
            byte[] key = new byte[32];
            if (text.Length > 64 || !Convert.TryFromBase64String(text, key, out int written) || written != 32)
            {
                throw new IOException($"{keyPath} is not a ledger key (base64 of 32 bytes)");
            }

            return key;
        }

        // A new key makes every remembered hash meaningless: start the ledger afresh with it.
        byte[] created = RandomNumberGenerator.GetBytes(32);
        WriteAtomically(keyPath, Encoding.ASCII.GetBytes(Convert.ToBase64String(created) + "\n"));
        File.Delete(ledgerPath);
        return created;
    }

    private static void Rewrite(string path, Dictionary<string, long> entries)
    {
        var text = new StringBuilder(entries.Count * (LineLength + 1));
        foreach ((string hash, long at) in entries)
        {
            text.Append(hash).Append(' ').Append(at.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        WriteAtomically(path, Encoding.ASCII.GetBytes(text.ToString()));
    }

    // Written to a temporary name with owner-only permissions, flushed, then renamed over the old file.
    private static void WriteAtomically(string path, byte[] content)
    {
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, OwnerOnly(FileMode.Create)))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static FileStream OpenAppend(string path) => new(path, OwnerOnly(FileMode.Append));

    private static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
