using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Audit.Storage;

/// <summary>
/// One data key of a <see cref="AuditDataKey"/> ring: from its 32-byte master key, HKDF-SHA256 derives the
/// record-encryption key, the patient-index MAC key and a public key id.
/// </summary>
/// <remarks>
/// The two HMACs run once or twice per append; each thread keeps its own keyed HMAC context, because creating one per
/// call (OpenSSL looks up the algorithm every time) costs more than the MAC itself.
/// </remarks>
internal sealed class AuditDataKeyEntry : IDisposable
{
    private readonly byte[] _encryptionKey;
    private readonly byte[] _macKey;
    private readonly ThreadLocal<IncrementalHash> _recordKeyMac;
    private readonly ThreadLocal<IncrementalHash> _patientMac;

    public AuditDataKeyEntry(ReadOnlySpan<byte> master)
    {
        if (master.Length != 32)
        {
            throw new ArgumentException("an audit data key is 32 bytes", nameof(master));
        }

        byte[] ikm = master.ToArray();
        try
        {
            _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, [], Encoding.ASCII.GetBytes("gateway-audit v1 record encryption"));
            _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, [], Encoding.ASCII.GetBytes("gateway-audit v1 patient index"));
            byte[] id = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 4, [], Encoding.ASCII.GetBytes("gateway-audit v1 key id"));
            KeyId = BinaryPrimitives.ReadUInt32BigEndian(id);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
        }

        _recordKeyMac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _encryptionKey), trackAllValues: true);
        _patientMac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _macKey), trackAllValues: true);
    }

    /// <summary>The public identifier stored in each record encrypted under this key.</summary>
    public uint KeyId { get; }

    /// <summary>Writes HMAC-SHA256(patient-index key, UTF-8 of the id without trailing spaces) into <paramref name="destination"/> (32 bytes).</summary>
    public void PatientHash(string patientId, Span<byte> destination)
    {
        ReadOnlySpan<char> id = patientId.AsSpan().TrimEnd(' ');
        // A patient id is at most AuditRecordLimits.MaxStringLength characters, 3 bytes each at most in UTF-8.
        Span<byte> utf8 = id.Length <= 256 ? stackalloc byte[768] : new byte[Encoding.UTF8.GetMaxByteCount(id.Length)];
        int length = Encoding.UTF8.GetBytes(id, utf8);
        Mac(_patientMac, utf8[..length], destination);
    }

    /// <summary>Writes the one-record key HMAC-SHA256(record-encryption key, salt) into <paramref name="destination"/> (32 bytes).</summary>
    public void RecordKey(ReadOnlySpan<byte> salt, Span<byte> destination) => Mac(_recordKeyMac, salt, destination);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_encryptionKey);
        CryptographicOperations.ZeroMemory(_macKey);
        foreach (IncrementalHash mac in _recordKeyMac.Values.Concat(_patientMac.Values))
        {
            mac.Dispose();
        }

        _recordKeyMac.Dispose();
        _patientMac.Dispose();
    }

    private static void Mac(ThreadLocal<IncrementalHash> mac, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        IncrementalHash hmac = mac.Value!;
        hmac.AppendData(data);
        if (!hmac.TryGetHashAndReset(destination, out int written) || written != 32)
        {
            throw new ArgumentException("the destination is shorter than a MAC", nameof(destination));
        }
    }
}
