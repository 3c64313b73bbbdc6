using System.Text;
using Gateway.Audit.Merkle;

namespace Gateway.Backup.Manifest;

/// <summary>The Merkle root of a manifest: RFC 9162's tree hash over one leaf per file, in manifest order.</summary>
/// <remarks>Leaf = UTF-8 of <c>path \n sha256-hex \n size</c> (decimal); the same hashing as the audit log's tree.</remarks>
public static class ManifestMerkle
{
    /// <summary>The root over <paramref name="files"/>, lowercase hex.</summary>
    public static string Root(IReadOnlyList<ManifestEntry> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            return Convert.ToHexStringLower(MerkleHasher.EmptyRoot());
        }

        byte[] leaves = new byte[files.Count * MerkleHasher.HashSize];
        for (int i = 0; i < files.Count; i++)
        {
            ManifestEntry f = files[i];
            byte[] leaf = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{f.Path}\n{f.Sha256}\n{f.Size}"));
            MerkleHasher.HashLeaf(leaf, leaves.AsSpan(i * MerkleHasher.HashSize, MerkleHasher.HashSize));
        }

        return Convert.ToHexStringLower(new MerkleTree(leaves).Root(files.Count));
    }
}
