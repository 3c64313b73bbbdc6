using System.Security.Cryptography;
using System.Text;

namespace Gateway.Archive.Crypto;

/// <summary>
/// Keyed hashes (HMAC-SHA256) under the index key: of identifiers, so the index can be searched by Patient ID, Accession
/// Number and Patient Name without holding them; and of each data set's bytes (the content hash that tells a duplicate
/// from a conflict without a plain digest that could confirm a guessed instance).
/// </summary>
/// <remarks>Two sub-keys are derived from the index key with HKDF-SHA256, one per use, so the two hash families never meet.</remarks>
internal sealed class IdentifierHasher : IDisposable
{
    private readonly byte[] _identifierKey;
    private readonly byte[] _contentKey;

    public IdentifierHasher(ReadOnlySpan<byte> indexKey)
    {
        _identifierKey = new byte[32];
        _contentKey = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, indexKey, _identifierKey, salt: [], info: "gateway-archive identifier hmac v1"u8);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, indexKey, _contentKey, salt: [], info: "gateway-archive content hmac v1"u8);
    }

    /// <summary>The keyed hash of <paramref name="value"/> as the value of <paramref name="field"/>, or null for an empty value.</summary>
    public byte[]? Hash(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        byte[] input = Encoding.UTF8.GetBytes(field + "\0" + value);
        try
        {
            return HMACSHA256.HashData(_identifierKey, input);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>A running keyed hash of data set bytes.</summary>
    public IncrementalHash CreateContentHash() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _contentKey);

    /// <summary>Normalises an identifier (Patient ID, Accession Number) as queries will: padding trimmed.</summary>
    public static string? NormalizeIdentifier(string? value) => value?.Trim() is { Length: > 0 } v ? v : null;

    /// <summary>
    /// Normalises a person name for exact matching: the alphabetic component group, each component trimmed, trailing empty
    /// components dropped, upper case (invariant).
    /// </summary>
    public static string? NormalizeName(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string alphabetic = value.Split('=')[0];
        string[] components = alphabetic.Split('^');
        for (int i = 0; i < components.Length; i++)
        {
            components[i] = components[i].Trim().ToUpperInvariant();
        }

        int count = components.Length;
        while (count > 0 && components[count - 1].Length == 0)
        {
            count--;
        }

        return count == 0 ? null : string.Join('^', components, 0, count);
    }

    /// <summary>The family name component of a normalised name.</summary>
    public static string? FamilyName(string? normalizedName) =>
        normalizedName is null ? null : normalizedName.Split('^')[0] is { Length: > 0 } f ? f : null;

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_identifierKey);
        CryptographicOperations.ZeroMemory(_contentKey);
    }
}
