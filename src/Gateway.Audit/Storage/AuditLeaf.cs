using System.Buffers.Binary;
using Gateway.Audit.Records;

namespace Gateway.Audit.Storage;

/// <summary>
/// One stored record: the leaf of the Merkle tree. Its clear header holds only what search and verification need, never
/// PHI; the record itself is the AES-256-GCM ciphertext.
/// </summary>
/// <remarks>
/// Layout (big-endian), version 1:
/// <code>
///  0   1  leaf format version (1)
///  1   8  index (0-based position in the log)
///  9   8  event time, Unix milliseconds UTC
/// 17   4  event id code (110100-110114)
/// 21   1  event action code (ASCII C R U D E)
/// 22   1  event outcome (0, 4, 8, 12)
/// 23   4  data key id
/// 27  32  leaf hash of the previous record (zeros for index 0): the hash chain
/// 59  16  record key salt
/// 75   1  n = number of patient id hashes (at most 16)
/// 76 32n  HMAC-SHA256 of each patient id
///  .   4  c = ciphertext length (plaintext length + 16-byte GCM tag)
///  .   c  ciphertext || tag
/// </code>
/// The GCM associated data is every byte before the ciphertext; the nonce is zero because every record key is used once.
/// </remarks>
internal sealed class AuditLeaf
{
    public const byte Version = 1;
    public const int HashSize = 32;
    public const int SaltSize = 16;
    public const int TagSize = 16;
    public const int FixedHeaderSize = 76;
    public const int MinLength = FixedHeaderSize + 4 + TagSize;
    public const int MaxCiphertextLength = AuditRecordLimits.MaxSerializedBytes + TagSize;
    public const int MaxLength = FixedHeaderSize + (AuditRecordLimits.MaxIndexedPatients * HashSize) + 4 + MaxCiphertextLength;

    private AuditLeaf(byte[] bytes)
    {
        Bytes = bytes;
    }

    /// <summary>The leaf bytes exactly as hashed.</summary>
    public byte[] Bytes { get; }

    public long Index { get; private init; }

    public long EventTimeMs { get; private init; }

    public int EventIdCode { get; private init; }

    public byte ActionCode { get; private init; }

    public byte OutcomeCode { get; private init; }

    public uint KeyId { get; private init; }

    public int PatientHashCount { get; private init; }

    /// <summary>Where the ciphertext starts (and the associated data ends).</summary>
    public int CiphertextOffset { get; private init; }

    public ReadOnlySpan<byte> PreviousLeafHash => Bytes.AsSpan(27, HashSize);

    public ReadOnlySpan<byte> Salt => Bytes.AsSpan(59, SaltSize);

    public ReadOnlySpan<byte> AssociatedData => Bytes.AsSpan(0, CiphertextOffset);

    public ReadOnlySpan<byte> Ciphertext => Bytes.AsSpan(CiphertextOffset);

    public DateTimeOffset EventTime => DateTimeOffset.FromUnixTimeMilliseconds(EventTimeMs);

    public ReadOnlySpan<byte> PatientHash(int i) => Bytes.AsSpan(FixedHeaderSize + (i * HashSize), HashSize);

    /// <summary>Whether one of the stored patient hashes equals <paramref name="hash"/>.</summary>
    public bool HasPatientHash(ReadOnlySpan<byte> hash)
    {
        for (int i = 0; i < PatientHashCount; i++)
        {
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(PatientHash(i), hash))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Encodes and encrypts one record as a leaf under the active key of <paramref name="key"/>.</summary>
    public static AuditLeaf Create(long index, AuditRecord record, ReadOnlySpan<byte> previousLeafHash, AuditDataKey key)
    {
        LeafDraft draft = LeafDraft.ForCurrentThread();
        try
        {
            draft.Prepare(AuditRecordSerializer.Normalize(record), key.Active);
            byte[] bytes = new byte[draft.Length];
            draft.EncodeTo(bytes, index, previousLeafHash);
            return Parse(bytes, out string? error) ?? throw new InvalidOperationException("leaf encoding failed: " + error);
        }
        finally
        {
            draft.Release();
        }
    }

    /// <summary>Parses a leaf, checking every field's bounds; null with <paramref name="error"/> when malformed.</summary>
    public static AuditLeaf? Parse(byte[] bytes, out string? error)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        error = Validate(bytes, out long index, out int ciphertextOffset);
        if (error is not null)
        {
            return null;
        }

        ReadOnlySpan<byte> span = bytes;
        return new AuditLeaf(bytes)
        {
            Index = index,
            EventTimeMs = BinaryPrimitives.ReadInt64BigEndian(span[9..]),
            EventIdCode = BinaryPrimitives.ReadInt32BigEndian(span[17..]),
            ActionCode = span[21],
            OutcomeCode = span[22],
            KeyId = BinaryPrimitives.ReadUInt32BigEndian(span[23..]),
            PatientHashCount = span[75],
            CiphertextOffset = ciphertextOffset,
        };
    }

    /// <summary>Checks every field's bounds without allocating; the problem, or null when well formed.</summary>
    public static string? Validate(ReadOnlySpan<byte> span, out long index, out int ciphertextOffset)
    {
        index = -1;
        ciphertextOffset = 0;
        if (span.Length is < MinLength or > MaxLength)
        {
            return $"leaf length {span.Length} out of range";
        }

        if (span[0] != Version)
        {
            return $"unknown leaf version {span[0]}";
        }

        index = BinaryPrimitives.ReadInt64BigEndian(span[1..]);
        long time = BinaryPrimitives.ReadInt64BigEndian(span[9..]);
        int eventId = BinaryPrimitives.ReadInt32BigEndian(span[17..]);
        int patients = span[75];
        if (index < 0 || time is < 0 or > 253402300799999)
        {
            return "index or event time out of range";
        }

        if (!AuditCodes.IsDefined((AuditEventId)eventId) || !Enum.IsDefined((AuditEventAction)span[21]) || !Enum.IsDefined((AuditEventOutcome)span[22]))
        {
            return "event id, action or outcome is not a valid code";
        }

        if (patients > AuditRecordLimits.MaxIndexedPatients)
        {
            return $"{patients} patient hashes, at most {AuditRecordLimits.MaxIndexedPatients} allowed";
        }

        ciphertextOffset = FixedHeaderSize + (patients * HashSize) + 4;
        if (ciphertextOffset > span.Length)
        {
            return "leaf shorter than its header";
        }

        int ciphertextLength = BinaryPrimitives.ReadInt32BigEndian(span[(ciphertextOffset - 4)..]);
        if (ciphertextLength is < TagSize or > MaxCiphertextLength || ciphertextOffset + ciphertextLength != span.Length)
        {
            return "ciphertext length does not match the leaf length";
        }

        return null;
    }

    /// <summary>Decrypts with the key of <paramref name="key"/>'s ring that encrypted this record.</summary>
    /// <exception cref="AuditLogException">The ring does not hold the record's key, or the ciphertext or header was altered.</exception>
    public byte[] Decrypt(AuditDataKey key)
    {
        byte[] recordKey = RecordKey(key);
        try
        {
            return DecryptWithRecordKey(recordKey);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(recordKey);
        }
    }

    /// <summary>Decrypts with the one-record key (as disclosed in an export bundle).</summary>
    /// <exception cref="AuditLogException">The key is wrong, or the ciphertext or header was altered.</exception>
    public byte[] DecryptWithRecordKey(byte[] recordKey)
    {
        byte[] plaintext = new byte[Ciphertext.Length - TagSize];
        if (!RecordCipher.TryDecrypt(recordKey, AssociatedData, Ciphertext, plaintext))
        {
            throw new AuditLogException($"record {Index} does not decrypt: wrong key, or its contents were altered");
        }

        return plaintext;
    }

    /// <summary>The one-record key of this leaf (for an export bundle), from the key of <paramref name="key"/>'s ring that encrypted it.</summary>
    /// <exception cref="AuditLogException">The ring does not hold the record's key.</exception>
    public byte[] RecordKey(AuditDataKey key)
    {
        AuditDataKeyEntry entry = KeyOf(key);
        byte[] recordKey = new byte[32];
        entry.RecordKey(Salt, recordKey);
        return recordKey;
    }

    /// <summary>The key of <paramref name="key"/>'s ring that encrypted this record.</summary>
    /// <exception cref="AuditLogException">The ring does not hold it.</exception>
    internal AuditDataKeyEntry KeyOf(AuditDataKey key) =>
        key.Find(KeyId) ?? throw new AuditLogException(
            $"record {Index} was encrypted with data key {KeyId:x8}, which the key file given does not hold (it holds {string.Join(", ", key.KeyIds.Select(k => k.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)))})");
}
