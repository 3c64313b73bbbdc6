using System.Security.Cryptography;
using System.Text;

namespace Gateway.Archive.Crypto;

/// <summary>
/// Encrypts the index's patient and study attributes (and forwarders' error texts) with AES-256-GCM under the attribute
/// key, a random key kept in the index wrapped under the current key-encryption key.
/// </summary>
/// <remarks>
/// Blob: version byte (1), 12-byte random nonce, ciphertext, 16-byte tag. The AAD names the row the blob belongs to
/// (for example <c>study:1.2.3</c>), so a blob copied to another row does not decrypt. Safe for concurrent use: an
/// <see cref="AesGcm"/> instance is not, so each operation makes its own.
/// </remarks>
internal sealed class AttributeCipher : IDisposable
{
    private const byte Version = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private readonly byte[] _key;

    public AttributeCipher(ReadOnlySpan<byte> key) => _key = key.ToArray();

    public byte[] Encrypt(string context, ReadOnlySpan<byte> plaintext)
    {
        byte[] blob = new byte[1 + NonceLength + plaintext.Length + TagLength];
        blob[0] = Version;
        Span<byte> nonce = blob.AsSpan(1, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagLength);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(1 + NonceLength, plaintext.Length), blob.AsSpan(blob.Length - TagLength), Encoding.UTF8.GetBytes(context));
        return blob;
    }

    /// <exception cref="ArchiveIntegrityException">The blob is malformed, altered, or belongs to another row.</exception>
    public byte[] Decrypt(string context, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 1 + NonceLength + TagLength || blob[0] != Version)
        {
            throw new ArchiveIntegrityException("an encrypted index attribute is malformed");
        }

        byte[] plaintext = new byte[blob.Length - 1 - NonceLength - TagLength];
        try
        {
            using var aes = new AesGcm(_key, TagLength);
            aes.Decrypt(blob.Slice(1, NonceLength), blob.Slice(1 + NonceLength, plaintext.Length), blob[^TagLength..], plaintext, Encoding.UTF8.GetBytes(context));
        }
        catch (CryptographicException ex)
        {
            throw new ArchiveIntegrityException("an encrypted index attribute failed authentication (altered, or moved from another row)", ex);
        }

        return plaintext;
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
