using System.Security.Cryptography;

namespace Gateway.Audit.Storage;

/// <summary>AES-256-GCM with a one-time key: zero nonce, 16-byte tag appended to the ciphertext.</summary>
internal static class RecordCipher
{
    private static readonly byte[] ZeroNonce = new byte[12];

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="destination"/> (plaintext length + 16).</summary>
    public static void Encrypt(byte[] key, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        using var aes = new AesGcm(key, AuditLeaf.TagSize);
        aes.Encrypt(ZeroNonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, AuditLeaf.TagSize), associatedData);
    }

    /// <summary>Decrypts and authenticates; false when the tag does not verify.</summary>
    public static bool TryDecrypt(byte[] key, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> plaintext)
    {
        if (key.Length != 32 || ciphertextAndTag.Length < AuditLeaf.TagSize)
        {
            return false;
        }

        using var aes = new AesGcm(key, AuditLeaf.TagSize);
        int length = ciphertextAndTag.Length - AuditLeaf.TagSize;
        try
        {
            aes.Decrypt(ZeroNonce, ciphertextAndTag[..length], ciphertextAndTag[length..], plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }
}
