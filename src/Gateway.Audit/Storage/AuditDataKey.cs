using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Audit.Storage;

/// <summary>
/// The secret that protects record contents: from one 32-byte master key, HKDF-SHA256 derives the record-encryption key,
/// the patient-index MAC key and a public key id. Each record is encrypted under its own key
/// HMAC-SHA256(encryption key, 16-byte random salt), so an export can disclose single records without the master key.
/// </summary>
/// <remarks>Key file: one line <c>GATEWAY-AUDIT-DATA-KEY+v1+&lt;base64 of 32 bytes&gt;</c>, mode 0600.</remarks>
public sealed class AuditDataKey : IDisposable
{
    private const string FilePrefix = "GATEWAY-AUDIT-DATA-KEY+v1+";
    private readonly byte[] _encryptionKey;
    private readonly byte[] _macKey;

    private AuditDataKey(ReadOnlySpan<byte> master)
    {
        if (master.Length != 32)
        {
            throw new ArgumentException("the audit data key is 32 bytes", nameof(master));
        }

        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master.ToArray(), 32, [], Encoding.ASCII.GetBytes("gateway-audit v1 record encryption"));
        _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master.ToArray(), 32, [], Encoding.ASCII.GetBytes("gateway-audit v1 patient index"));
        byte[] id = HKDF.DeriveKey(HashAlgorithmName.SHA256, master.ToArray(), 4, [], Encoding.ASCII.GetBytes("gateway-audit v1 key id"));
        KeyId = BinaryPrimitives.ReadUInt32BigEndian(id);
    }

    /// <summary>A public identifier of the key (stored with each record so a wrong key is named as such).</summary>
    public uint KeyId { get; }

    /// <summary>A key from its 32 bytes (for a caller that keeps the key elsewhere, e.g. in a secret store).</summary>
    public static AuditDataKey FromBytes(ReadOnlySpan<byte> master) => new(master);

    /// <summary>Loads the key file, or creates it (0600, random key) when it does not exist and <paramref name="create"/> is set.</summary>
    /// <exception cref="AuditLogException">The file is missing (and not to be created), unreadable, malformed, or accessible by others.</exception>
    public static AuditDataKey Load(string path, bool create)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text = create
            ? SecretFiles.ReadOrCreate(path, () => FilePrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Text
            : SecretFiles.Read(path);
        if (!text.StartsWith(FilePrefix, StringComparison.Ordinal))
        {
            throw new AuditLogException($"{path} is not an audit data key file");
        }

        byte[] master;
        try
        {
            master = Convert.FromBase64String(text[FilePrefix.Length..]);
        }
        catch (FormatException ex)
        {
            throw new AuditLogException($"{path} is not an audit data key file: {ex.Message}", ex);
        }

        if (master.Length != 32)
        {
            throw new AuditLogException($"{path} is not an audit data key file: the key is not 32 bytes");
        }

        try
        {
            return new AuditDataKey(master);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    /// <summary>The keyed hash (HMAC-SHA256) of a patient id, as stored in clear for search. Trailing spaces (DICOM padding) are ignored.</summary>
    public byte[] PatientHash(string patientId)
    {
        ArgumentNullException.ThrowIfNull(patientId);
        return HMACSHA256.HashData(_macKey, Encoding.UTF8.GetBytes(patientId.TrimEnd(' ')));
    }

    /// <summary>The one-record key for <paramref name="salt"/>.</summary>
    public byte[] RecordKey(ReadOnlySpan<byte> salt) => HMACSHA256.HashData(_encryptionKey, salt);

    /// <inheritdoc/>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_encryptionKey);
        CryptographicOperations.ZeroMemory(_macKey);
    }
}
