using System.Security.Cryptography;

namespace Gateway.Audit.Merkle;

/// <summary>The hashes of RFC 6962 / RFC 9162 section 2.1.1 with SHA-256.</summary>
public static class MerkleHasher
{
    // Leaves up to this size are copied behind their prefix byte and hashed in one call (typical records are 1-2 KB).
    private const int PrefixedLeafBytes = 16 * 1024;

    [ThreadStatic]
    private static IncrementalHash? t_leafHash;

    [ThreadStatic]
    private static byte[]? t_prefixed;

    /// <summary>Size of every hash, in bytes.</summary>
    public const int HashSize = 32;

    private static ReadOnlySpan<byte> LeafPrefix => [0x00];

    /// <summary>MTH({}) = SHA-256() of the empty string.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>MTH({d}) = SHA-256(0x00 || d): the hash of a leaf.</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        byte[] hash = new byte[HashSize];
        HashLeaf(leaf, hash);
        return hash;
    }

    /// <summary>Writes SHA-256(0x00 || leaf) into <paramref name="destination"/>.</summary>
    public static void HashLeaf(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        // A hash object per thread, reset after each use: verification hashes a million leaves, and creating the
        // native hash context per leaf costs more than the hashing. Each call into OpenSSL costs about as much as hashing
        // a kilobyte, so the prefix and the leaf go in one call: copying the leaf behind the prefix is cheaper.
        IncrementalHash sha = t_leafHash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (leaf.Length < PrefixedLeafBytes)
        {
            byte[] prefixed = t_prefixed ??= new byte[PrefixedLeafBytes];
            prefixed[0] = 0x00;
            leaf.CopyTo(prefixed.AsSpan(1));
            sha.AppendData(prefixed.AsSpan(0, leaf.Length + 1));
        }
        else
        {
            sha.AppendData(LeafPrefix);
            sha.AppendData(leaf);
        }

        if (!sha.TryGetHashAndReset(destination, out int written) || written != HashSize)
        {
            throw new ArgumentException("the destination is shorter than a hash", nameof(destination));
        }
    }

    /// <summary>
    /// Writes SHA-256(<paramref name="prefixedLeaf"/>) into <paramref name="destination"/>, where the span is a leaf behind
    /// its 0x00 prefix byte already in place: a leaf hash without copying the leaf (verification reads leaves into a buffer
    /// where the byte before each is free).
    /// </summary>
    internal static void HashPrefixedLeaf(ReadOnlySpan<byte> prefixedLeaf, Span<byte> destination)
    {
        if (prefixedLeaf.IsEmpty || prefixedLeaf[0] != 0x00)
        {
            throw new ArgumentException("the leaf must follow a 0x00 prefix byte", nameof(prefixedLeaf));
        }

        IncrementalHash sha = t_leafHash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(prefixedLeaf);
        if (!sha.TryGetHashAndReset(destination, out int written) || written != HashSize)
        {
            throw new ArgumentException("the destination is shorter than a hash", nameof(destination));
        }
    }

    /// <summary>SHA-256(0x01 || left || right): the hash of an interior node.</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        byte[] hash = new byte[HashSize];
        HashChildren(left, right, hash);
        return hash;
    }

    /// <summary>Writes SHA-256(0x01 || left || right) into <paramref name="destination"/> (which may overlap either input).</summary>
    public static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != HashSize || right.Length != HashSize)
        {
            throw new ArgumentException("children are 32-byte hashes");
        }

        IncrementalHash sha = t_leafHash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> node = stackalloc byte[1 + (2 * HashSize)];
        node[0] = 0x01;
        left.CopyTo(node[1..]);
        right.CopyTo(node[(1 + HashSize)..]);
        sha.AppendData(node);
        if (!sha.TryGetHashAndReset(destination, out int written) || written != HashSize)
        {
            throw new ArgumentException("the destination is shorter than a hash", nameof(destination));
        }
    }
}
