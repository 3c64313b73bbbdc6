using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Gateway.Archive.Crypto;

/// <summary>AES key wrap (RFC 3394) of 256-bit data keys under a 256-bit key-encryption key, from BouncyCastle.</summary>
internal static class KeyWrap
{
    /// <summary>The length of a wrapped 256-bit key: the key plus the 8-byte integrity block.</summary>
    public const int WrappedLength = ObjectFormat.WrappedKeyLength;

    public static byte[] Wrap(ReadOnlySpan<byte> kek, ReadOnlySpan<byte> key)
    {
        var engine = new AesWrapEngine();
        engine.Init(forWrapping: true, new KeyParameter(kek));
        byte[] input = key.ToArray();
        try
        {
            return engine.Wrap(input, 0, input.Length);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <exception cref="ArchiveIntegrityException">The wrapped key does not unwrap under <paramref name="kek"/> (wrong key or altered).</exception>
    public static byte[] Unwrap(ReadOnlySpan<byte> kek, byte[] wrapped)
    {
        if (wrapped.Length != WrappedLength)
        {
            throw new ArchiveIntegrityException($"a wrapped data key must be {WrappedLength} bytes, not {wrapped.Length}");
        }

        var engine = new AesWrapEngine();
        engine.Init(forWrapping: false, new KeyParameter(kek));
        try
        {
            return engine.Unwrap(wrapped, 0, wrapped.Length);
        }
        catch (InvalidCipherTextException ex)
        {
            throw new ArchiveIntegrityException("a data key does not unwrap under its key-encryption key (wrong key, or the index was altered)", ex);
        }
    }
}
