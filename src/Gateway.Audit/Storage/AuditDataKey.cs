using System.Security.Cryptography;
using System.Text;

namespace Gateway.Audit.Storage;

/// <summary>
/// The secrets that protect record contents: a ring of 32-byte data keys, the last of which (the active key) encrypts new
/// records while the older ones still decrypt what they encrypted. From each key, HKDF-SHA256 derives the
/// record-encryption key, the patient-index MAC key and a public key id that every record stores. Each record is
/// encrypted under its own key HMAC-SHA256(encryption key, 16-byte random salt), so an export can disclose single records
/// without the data key.
/// </summary>
/// <remarks>
/// Key file: one line per key, <c>GATEWAY-AUDIT-DATA-KEY+v1+&lt;base64 of 32 bytes&gt;</c>, oldest first, the last line
/// the active key; mode 0600. <see cref="Rotate"/> appends a line (rewriting the file atomically). Patient hashes depend on
/// the key: a search computes the hash under each key of the ring and compares it with records of that key.
/// </remarks>
public sealed class AuditDataKey : IDisposable
{
    /// <summary>Most keys one file may hold (one rotation a month for 40 years fits).</summary>
    public const int MaxKeys = 512;

    private const string FilePrefix = "GATEWAY-AUDIT-DATA-KEY+v1+";

    // Replaced whole (never changed in place) when a rotation adds a key; entries live until the ring is disposed, so an
    // append that took the previous active key still encrypts with it.
    private volatile AuditDataKeyEntry[] _keys;

    private AuditDataKey(AuditDataKeyEntry[] keys)
    {
        _keys = keys;
    }

    /// <summary>The id of the active key (stored with each new record, so a wrong or missing key is named as such).</summary>
    public uint KeyId => Active.KeyId;

    /// <summary>The ids of every key of the ring, oldest first; the last is the active key.</summary>
    public IReadOnlyList<uint> KeyIds => _keys.Select(k => k.KeyId).ToArray();

    /// <summary>The key that encrypts new records.</summary>
    internal AuditDataKeyEntry Active => _keys[^1];

    /// <summary>A ring of one key, from its 32 bytes (for a caller that keeps the key elsewhere, e.g. in a secret store).</summary>
    public static AuditDataKey FromBytes(ReadOnlySpan<byte> master) => new([new AuditDataKeyEntry(master)]);

    /// <summary>Loads the key file, or creates it (0600, one random key) when it does not exist and <paramref name="create"/> is set.</summary>
    /// <exception cref="AuditLogException">The file is missing (and not to be created), unreadable, malformed, or accessible by others.</exception>
    public static AuditDataKey Load(string path, bool create)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text = create
            ? SecretFiles.ReadOrCreate(path, NewKeyLine).Text
            : SecretFiles.Read(path);
        return Parse(path, text);
    }

    /// <summary>
    /// Adds a new random key to the key file at <paramref name="path"/> and makes it the active key; the older keys stay
    /// in the file to decrypt the records they encrypted. The file is replaced atomically (0600).
    /// </summary>
    /// <returns>The new key's id.</returns>
    /// <exception cref="AuditLogException">The file is missing, malformed, accessible by others, or full.</exception>
    public static uint Rotate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text = SecretFiles.Read(path);
        using AuditDataKey current = Parse(path, text);
        if (current._keys.Length >= MaxKeys)
        {
            throw new AuditLogException($"{path} already holds {MaxKeys} keys");
        }

        string line = NewKeyLine();
        using AuditDataKey added = Parse(path, line);
        if (current._keys.Any(k => k.KeyId == added.KeyId))
        {
            throw new AuditLogException("the new key's id collides with an existing key; run the rotation again");
        }

        SecretFiles.Replace(path, text + "\n" + line);
        return added.KeyId;
    }

    /// <summary>The keyed hash (HMAC-SHA256) of a patient id under the active key, as stored in clear for search. Trailing spaces (DICOM padding) are ignored.</summary>
    public byte[] PatientHash(string patientId)
    {
        ArgumentNullException.ThrowIfNull(patientId);
        byte[] hash = new byte[32];
        Active.PatientHash(patientId, hash);
        return hash;
    }

    /// <summary>The one-record key for <paramref name="salt"/> under the active key.</summary>
    public byte[] RecordKey(ReadOnlySpan<byte> salt)
    {
        byte[] key = new byte[32];
        Active.RecordKey(salt, key);
        return key;
    }

    /// <summary>
    /// Takes in the keys that the file at <paramref name="path"/> holds beyond this ring (after <see cref="Rotate"/>): the
    /// file's last key becomes the active key. The file must still hold every key of the ring, in the same order.
    /// </summary>
    /// <exception cref="AuditLogException">The file is unreadable, or does not extend this ring.</exception>
    internal void Refresh(string path)
    {
        AuditDataKey file = Parse(path, SecretFiles.Read(path));
        AuditDataKeyEntry[] current = _keys;
        AuditDataKeyEntry[] read = file._keys;
        bool extends = read.Length >= current.Length && current.Select(k => k.KeyId).SequenceEqual(read.Take(current.Length).Select(k => k.KeyId));
        if (!extends)
        {
            file.Dispose();
            throw new AuditLogException($"{path} no longer holds the keys this log was opened with; it was replaced, not rotated");
        }

        foreach (AuditDataKeyEntry duplicate in read.Take(current.Length))
        {
            duplicate.Dispose();
        }

        _keys = [.. current, .. read.Skip(current.Length)];
    }

    /// <summary>The key with id <paramref name="keyId"/>, or null when the ring does not hold it.</summary>
    internal AuditDataKeyEntry? Find(uint keyId)
    {
        foreach (AuditDataKeyEntry key in _keys)
        {
            if (key.KeyId == keyId)
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>The patient hash of <paramref name="patientId"/> under each key, by key id (for a search across rotations).</summary>
    internal Dictionary<uint, byte[]> PatientHashes(string patientId)
    {
        var hashes = new Dictionary<uint, byte[]>(_keys.Length);
        foreach (AuditDataKeyEntry key in _keys)
        {
            byte[] hash = new byte[32];
            key.PatientHash(patientId, hash);
            hashes[key.KeyId] = hash;
        }

        return hashes;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (AuditDataKeyEntry key in _keys)
        {
            key.Dispose();
        }
    }

    private static string NewKeyLine() => FilePrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static AuditDataKey Parse(string path, string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            throw new AuditLogException($"{path} is not an audit data key file: it holds no key");
        }

        if (lines.Length > MaxKeys)
        {
            throw new AuditLogException($"{path} holds more than {MaxKeys} keys");
        }

        var keys = new List<AuditDataKeyEntry>(lines.Length);
        try
        {
            for (int i = 0; i < lines.Length; i++)
            {
                AuditDataKeyEntry key = ParseLine(path, i + 1, lines[i]);
                if (keys.Any(k => k.KeyId == key.KeyId))
                {
                    key.Dispose();
                    throw new AuditLogException($"{path} line {i + 1}: the same key id {key.KeyId:x8} appears twice");
                }

                keys.Add(key);
            }
        }
        catch
        {
            foreach (AuditDataKeyEntry key in keys)
            {
                key.Dispose();
            }

            throw;
        }

        return new AuditDataKey([.. keys]);
    }

    private static AuditDataKeyEntry ParseLine(string path, int number, string line)
    {
        if (!line.StartsWith(FilePrefix, StringComparison.Ordinal))
        {
            throw new AuditLogException($"{path} is not an audit data key file (line {number})");
        }

        byte[] master;
        try
        {
            master = Convert.FromBase64String(line[FilePrefix.Length..]);
        }
        catch (FormatException ex)
        {
            throw new AuditLogException($"{path} is not an audit data key file (line {number}): {ex.Message}", ex);
        }

        try
        {
            if (master.Length != 32)
            {
                throw new AuditLogException($"{path} is not an audit data key file (line {number}): the key is not 32 bytes");
            }

            return new AuditDataKeyEntry(master);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }
}
