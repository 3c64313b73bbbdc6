using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Audit.Records;

namespace Gateway.Audit.Storage;

/// <summary>
/// A record made ready to append before its place in the log is known: its canonical JSON, the clear header fields, the
/// patient hashes, a fresh salt and the cipher keyed with its one-record key. <see cref="EncodeTo"/> then writes the leaf
/// for a given index after a given chain hash; only that last step has to happen in log order.
/// </summary>
/// <remarks>
/// One draft per thread is reused (<see cref="ForCurrentThread"/>): <see cref="Prepare"/>, <see cref="EncodeTo"/> and
/// <see cref="Release"/> run on one thread with no await in between. Release zeroes the plaintext.
/// </remarks>
internal sealed class LeafDraft
{
    // A draft whose plaintext buffer grew past this (a huge record) is not kept for the thread.
    private const int RetainedBufferBytes = 1 << 20;

    [ThreadStatic]
    private static LeafDraft? t_draft;

    private static readonly byte[] ZeroNonce = new byte[12];
    private readonly ArrayBufferWriter<byte> _plaintext = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly byte[] _patientHashes = new byte[AuditRecordLimits.MaxIndexedPatients * AuditLeaf.HashSize];
    private readonly byte[] _salt = new byte[AuditLeaf.SaltSize];
    private AesGcm? _cipher;
    private int _patients;
    private long _eventTimeMs;
    private int _eventId;
    private byte _action;
    private byte _outcome;
    private uint _keyId;

    private LeafDraft()
    {
        _json = AuditRecordSerializer.CreateWriter(_plaintext);
    }

    /// <summary>The encoded leaf's length.</summary>
    public int Length => AuditLeaf.FixedHeaderSize + (_patients * AuditLeaf.HashSize) + 4 + _plaintext.WrittenCount + AuditLeaf.TagSize;

    /// <summary>This thread's draft.</summary>
    public static LeafDraft ForCurrentThread() => t_draft ??= new LeafDraft();

    /// <summary>Serializes <paramref name="normalized"/> and derives everything of its leaf that does not depend on its position.</summary>
    /// <exception cref="ArgumentException">The record is larger than <see cref="AuditRecordLimits.MaxSerializedBytes"/> when encoded.</exception>
    public void Prepare(AuditRecord normalized, AuditDataKeyEntry key)
    {
        Release();
        _json.Reset(_plaintext);
        AuditRecordSerializer.SerializeTo(_json, normalized);
        if (_plaintext.WrittenCount > AuditRecordLimits.MaxSerializedBytes)
        {
            Release();
            throw new ArgumentException($"invalid audit record: larger than {AuditRecordLimits.MaxSerializedBytes} bytes when encoded", nameof(normalized));
        }

        _patients = 0;
        foreach (AuditParticipantObject o in normalized.ParticipantObjects)
        {
            if (o.IsPatient)
            {
                // The validator allows at most AuditRecordLimits.MaxIndexedPatients patients per record.
                key.PatientHash(o.ObjectId, _patientHashes.AsSpan(_patients * AuditLeaf.HashSize, AuditLeaf.HashSize));
                _patients++;
            }
        }

        RandomNumberGenerator.Fill(_salt);
        Span<byte> recordKey = stackalloc byte[32];
        key.RecordKey(_salt, recordKey);
        _cipher = new AesGcm(recordKey, AuditLeaf.TagSize);
        CryptographicOperations.ZeroMemory(recordKey);
        _eventTimeMs = normalized.EventTime.ToUnixTimeMilliseconds();
        _eventId = (int)normalized.EventId;
        _action = (byte)normalized.Action;
        _outcome = (byte)normalized.Outcome;
        _keyId = key.KeyId;
    }

    /// <summary>Writes and encrypts the leaf (layout in <see cref="AuditLeaf"/>) into <paramref name="leaf"/>, exactly <see cref="Length"/> bytes.</summary>
    public void EncodeTo(Span<byte> leaf, long index, ReadOnlySpan<byte> previousLeafHash)
    {
        if (_cipher is null || leaf.Length != Length || previousLeafHash.Length != AuditLeaf.HashSize)
        {
            throw new InvalidOperationException("the draft is not prepared for this leaf");
        }

        int ciphertextOffset = AuditLeaf.FixedHeaderSize + (_patients * AuditLeaf.HashSize) + 4;
        leaf[0] = AuditLeaf.Version;
        BinaryPrimitives.WriteInt64BigEndian(leaf[1..], index);
        BinaryPrimitives.WriteInt64BigEndian(leaf[9..], _eventTimeMs);
        BinaryPrimitives.WriteInt32BigEndian(leaf[17..], _eventId);
        leaf[21] = _action;
        leaf[22] = _outcome;
        BinaryPrimitives.WriteUInt32BigEndian(leaf[23..], _keyId);
        previousLeafHash.CopyTo(leaf[27..]);
        _salt.CopyTo(leaf[59..]);
        leaf[75] = (byte)_patients;
        _patientHashes.AsSpan(0, _patients * AuditLeaf.HashSize).CopyTo(leaf[AuditLeaf.FixedHeaderSize..]);
        int plaintextLength = _plaintext.WrittenCount;
        BinaryPrimitives.WriteInt32BigEndian(leaf[(ciphertextOffset - 4)..], plaintextLength + AuditLeaf.TagSize);
        // The associated data is every leaf byte before the ciphertext: index, chain hash and clear header are bound to it.
        _cipher.Encrypt(ZeroNonce, _plaintext.WrittenSpan, leaf.Slice(ciphertextOffset, plaintextLength), leaf.Slice(ciphertextOffset + plaintextLength, AuditLeaf.TagSize), leaf[..ciphertextOffset]);
    }

    /// <summary>Forgets the record: disposes the cipher and zeroes the plaintext.</summary>
    public void Release()
    {
        _cipher?.Dispose();
        _cipher = null;
        _plaintext.Clear();
        if (_plaintext.Capacity > RetainedBufferBytes && ReferenceEquals(t_draft, this))
        {
            t_draft = null;
        }
    }
}
