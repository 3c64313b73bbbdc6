using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Gateway.Archive.Crypto;
using Gateway.Archive.Storage;

namespace Gateway.Archive.Keys;

/// <summary>
/// The key-encryption keys (KEKs) by version. The highest version is current: new data keys are wrapped under it, and a
/// rotation re-wraps older ones. Keys come from files <c>kek-N.key</c> (0600) in the key directory, or from a secret
/// (<see cref="ArchiveOptions.KekSecret"/>).
/// </summary>
/// <remarks>
/// A retired version's file is deleted once no row uses it, but its key stays in memory until the ring is disposed, so
/// that a reader that fetched a row just before the rotation re-wrapped it still succeeds.
/// </remarks>
internal sealed partial class KeyRing : IDisposable
{
    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<int, byte[]> _keys;

    private KeyRing(ImmutableSortedDictionary<int, byte[]> keys, string? directory)
    {
        _keys = keys;
        Directory = directory;
    }

    /// <summary>The key directory when the keys are files; null when they come from a secret.</summary>
    public string? Directory { get; }

    /// <summary>True when rotation can create and retire key files.</summary>
    public bool IsFileBased => Directory is not null;

    /// <summary>The version new data keys are wrapped under.</summary>
    public int CurrentVersion => _keys.Keys.Last();

    /// <summary>Every version held, ascending.</summary>
    public IReadOnlyList<int> Versions => [.. _keys.Keys];

    /// <summary>The file name of KEK version <paramref name="version"/>.</summary>
    public static string FileName(int version) => string.Create(CultureInfo.InvariantCulture, $"kek-{version}.key");

    /// <summary>The versions of the KEK files in <paramref name="directory"/>, ascending.</summary>
    public static IReadOnlyList<int> ListFileVersions(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var versions = new List<int>();
        foreach (string path in System.IO.Directory.EnumerateFiles(directory, "kek-*.key"))
        {
            Match m = KekFileName().Match(Path.GetFileName(path));
            if (m.Success && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0)
            {
                versions.Add(v);
            }
        }

        versions.Sort();
        return versions;
    }

    /// <summary>Loads every <c>kek-N.key</c> in <paramref name="directory"/>; creates <c>kek-1.key</c> when there is none and <paramref name="create"/> is set.</summary>
    /// <exception cref="ArchiveKeyException">No key, or a key file that is unprotected or malformed.</exception>
    public static KeyRing LoadFiles(string directory, bool create, out bool created)
    {
        created = false;
        IReadOnlyList<int> versions = ListFileVersions(directory);
        var keys = ImmutableSortedDictionary.CreateBuilder<int, byte[]>();
        if (versions.Count == 0)
        {
            if (!create)
            {
                throw new ArchiveKeyException($"no key-encryption key (kek-N.key) in {directory}");
            }

            keys[1] = KeyFiles.ReadOrCreate(Path.Combine(directory, FileName(1)), create: true, out created);
        }

        foreach (int v in versions)
        {
            keys[v] = KeyFiles.Read(Path.Combine(directory, FileName(v)));
        }

        return new KeyRing(keys.ToImmutable(), directory);
    }

    /// <summary>
    /// Parses a KEK secret: <c>VERSION:BASE64[,VERSION:BASE64...]</c>, or a bare <c>BASE64</c> for version 1.
    /// </summary>
    /// <exception cref="ArchiveKeyException">The secret is malformed.</exception>
    public static KeyRing FromSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var keys = ImmutableSortedDictionary.CreateBuilder<int, byte[]>();
        foreach (string part in secret.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            int version = 1;
            string text = part;
            if (colon >= 0)
            {
                if (!int.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out version) || version <= 0)
                {
                    throw new ArchiveKeyException("the key-encryption key secret has a version that is not a positive number");
                }

                text = part[(colon + 1)..];
            }

            if (keys.ContainsKey(version))
            {
                throw new ArchiveKeyException(string.Create(CultureInfo.InvariantCulture, $"the key-encryption key secret names version {version} twice"));
            }

            keys[version] = KeyFiles.Parse(text, string.Create(CultureInfo.InvariantCulture, $"key-encryption key version {version} of the secret"));
        }

        if (keys.Count == 0)
        {
            throw new ArchiveKeyException("the key-encryption key secret is empty");
        }

        return new KeyRing(keys.ToImmutable(), null);
    }

    /// <summary>True when version <paramref name="version"/> is held.</summary>
    public bool Has(int version) => _keys.ContainsKey(version);

    /// <summary>Wraps <paramref name="dataKey"/> under the current version.</summary>
    public byte[] Wrap(ReadOnlySpan<byte> dataKey, out int version)
    {
        ImmutableSortedDictionary<int, byte[]> keys = _keys;
        version = keys.Keys.Last();
        return KeyWrap.Wrap(keys[version], dataKey);
    }

    /// <summary>Wraps <paramref name="dataKey"/> under version <paramref name="version"/>.</summary>
    /// <exception cref="ArchiveIntegrityException">The version is not held.</exception>
    public byte[] WrapUnder(int version, ReadOnlySpan<byte> dataKey)
    {
        if (!_keys.TryGetValue(version, out byte[]? kek))
        {
            throw new ArchiveIntegrityException(string.Create(CultureInfo.InvariantCulture, $"key-encryption key version {version} is not available"));
        }

        return KeyWrap.Wrap(kek, dataKey);
    }

    /// <summary>Unwraps a data key wrapped under <paramref name="version"/>.</summary>
    /// <exception cref="ArchiveIntegrityException">The version is not held, or the key does not unwrap.</exception>
    public byte[] Unwrap(int version, byte[] wrapped)
    {
        if (!_keys.TryGetValue(version, out byte[]? kek))
        {
            throw new ArchiveIntegrityException(string.Create(CultureInfo.InvariantCulture, $"key-encryption key version {version} is not available"));
        }

        return KeyWrap.Unwrap(kek, wrapped);
    }

    /// <summary>Creates the next version's key file and makes it current.</summary>
    /// <exception cref="InvalidOperationException">The keys come from a secret.</exception>
    public int AddVersion()
    {
        if (Directory is null)
        {
            throw new InvalidOperationException("keys from a secret are rotated by adding a version to the secret");
        }

        lock (_gate)
        {
            int version = Math.Max(CurrentVersion, ListFileVersions(Directory).DefaultIfEmpty(0).Max()) + 1;
            byte[] key = KeyFiles.Create(Path.Combine(Directory, FileName(version)));
            _keys = _keys.SetItem(version, key);
            return version;
        }
    }

    /// <summary>Deletes the file of a version no row uses any more (durably); the key stays in memory.</summary>
    public bool RetireFile(int version)
    {
        if (Directory is null || version == CurrentVersion)
        {
            return false;
        }

        string path = Path.Combine(Directory, FileName(version));
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        FileSync.FlushDirectory(Directory);
        return true;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (byte[] key in _keys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }

            _keys = ImmutableSortedDictionary<int, byte[]>.Empty;
        }
    }

    [GeneratedRegex("^kek-([0-9]{1,9})\\.key$", RegexOptions.CultureInvariant)]
    private static partial Regex KekFileName();
}
