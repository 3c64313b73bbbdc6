using System.Security.Cryptography;
using Gateway.Archive.Crypto;
using Gateway.Archive.Index;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gateway.Archive.Keys;

/// <summary>
/// The archive's keys together: the key-encryption keys (<see cref="KeyRing"/>), the index key (keyed hashes) and the
/// attribute key (index blobs; random, kept in the index wrapped under the current KEK).
/// </summary>
internal sealed class ArchiveKeys : IDisposable
{
    public const string IndexKeyFileName = "index.key";
    private const string AttributesPurpose = "attributes";
    private const string IndexCheckPurpose = "index-key-check";

    private ArchiveKeys(KeyRing ring, IdentifierHasher hasher, AttributeCipher attributes)
    {
        Ring = ring;
        Hasher = hasher;
        Attributes = attributes;
    }

    public KeyRing Ring { get; }

    public IdentifierHasher Hasher { get; }

    public AttributeCipher Attributes { get; }

    /// <summary>
    /// Loads the keys for an index open on <paramref name="writer"/>. Key files are created only for a new archive
    /// (<paramref name="fresh"/>): a missing key next to an existing index is an error, never silently replaced.
    /// </summary>
    /// <exception cref="ArchiveKeyException">A key is missing, unprotected, malformed, or not the one this index was made with.</exception>
    public static ArchiveKeys Load(ArchiveOptions options, SqliteConnection writer, bool fresh, ILogger logger)
    {
        string directory = options.ResolvedKeyDirectory;
        KeyRing? ring = null;
        IdentifierHasher? hasher = null;
        try
        {
            if (options.KekSecret is { } secret)
            {
                ring = KeyRing.FromSecret(secret);
            }
            else
            {
                ring = KeyRing.LoadFiles(directory, create: fresh, out bool created);
                if (created)
                {
                    ArchiveMessages.KeyCreated(logger, Path.Combine(directory, KeyRing.FileName(1)));
                }
            }

            byte[] indexKey;
            if (options.IndexKeySecret is { } indexSecret)
            {
                indexKey = KeyFiles.Parse(indexSecret.Trim(), "the index key secret");
            }
            else
            {
                string path = Path.Combine(directory, IndexKeyFileName);
                if (!fresh && !File.Exists(path))
                {
                    throw new ArchiveKeyException($"index key {path} is missing; the existing index cannot be searched without it (no new key is made for an existing index)");
                }

                indexKey = KeyFiles.ReadOrCreate(path, create: fresh, out bool created);
                if (created)
                {
                    ArchiveMessages.KeyCreated(logger, path);
                }
            }

            hasher = new IdentifierHasher(indexKey);
            CryptographicOperations.ZeroMemory(indexKey);
            CheckIndexKey(writer, hasher);

            byte[] attributeKey = LoadAttributeKey(writer, ring, create: true);
            var cipher = new AttributeCipher(attributeKey);
            CryptographicOperations.ZeroMemory(attributeKey);
            return new ArchiveKeys(ring, hasher, cipher);
        }
        catch
        {
            ring?.Dispose();
            hasher?.Dispose();
            throw;
        }
    }

    /// <summary>Re-wraps the attribute key under the current KEK version when it is under an older one.</summary>
    /// <returns>True when it was re-wrapped.</returns>
    public bool RewrapAttributeKey(SqliteConnection connection, SqliteTransaction transaction)
    {
        using SqliteCommand select = ArchiveDatabase.Command(connection, transaction, "SELECT kek_version, wrapped FROM key_wraps WHERE purpose = $p0", AttributesPurpose);
        using SqliteDataReader row = select.ExecuteReader();
        if (!row.Read())
        {
            return false;
        }

        int version = row.GetInt32(0);
        byte[] wrapped = (byte[])row[1];
        row.Close();
        if (version == Ring.CurrentVersion)
        {
            return false;
        }

        byte[] key = Ring.Unwrap(version, wrapped);
        byte[] rewrapped = Ring.Wrap(key, out int current);
        CryptographicOperations.ZeroMemory(key);
        ArchiveDatabase.Execute(connection, "UPDATE key_wraps SET kek_version = $p0, wrapped = $p1 WHERE purpose = $p2 AND kek_version = $p3", transaction, current, rewrapped, AttributesPurpose, version);
        return true;
    }

    public void Dispose()
    {
        Ring.Dispose();
        Hasher.Dispose();
        Attributes.Dispose();
    }

    private static void CheckIndexKey(SqliteConnection writer, IdentifierHasher hasher)
    {
        byte[] check = hasher.Hash("index-key-check", "gateway-archive")!;
        if (ArchiveDatabase.Scalar(writer, "SELECT wrapped FROM key_wraps WHERE purpose = $p0", null, IndexCheckPurpose) is byte[] stored)
        {
            if (!CryptographicOperations.FixedTimeEquals(stored, check))
            {
                throw new ArchiveKeyException("the index key is not the one this archive index was made with");
            }

            return;
        }

        ArchiveDatabase.Execute(writer, "INSERT INTO key_wraps(purpose, kek_version, wrapped) VALUES ($p0, 0, $p1)", null, IndexCheckPurpose, check);
    }

    private static byte[] LoadAttributeKey(SqliteConnection writer, KeyRing ring, bool create)
    {
        using (SqliteCommand select = ArchiveDatabase.Command(writer, null, "SELECT kek_version, wrapped FROM key_wraps WHERE purpose = $p0", AttributesPurpose))
        using (SqliteDataReader row = select.ExecuteReader())
        {
            if (row.Read())
            {
                int stored = row.GetInt32(0);
                try
                {
                    return ring.Unwrap(stored, (byte[])row[1]);
                }
                catch (ArchiveIntegrityException ex)
                {
                    throw new ArchiveKeyException(
                        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the key-encryption key version {stored} at hand is not the one this archive was made with (or is missing)"),
                        ex);
                }
            }
        }

        if (!create)
        {
            throw new ArchiveKeyException("the archive index has no attribute key");
        }

        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] wrapped = ring.Wrap(key, out int version);
        ArchiveDatabase.Execute(writer, "INSERT INTO key_wraps(purpose, kek_version, wrapped) VALUES ($p0, $p1, $p2)", null, AttributesPurpose, version, wrapped);
        return key;
    }
}
