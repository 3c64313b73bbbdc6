namespace Gateway.Audit.Verification;

/// <summary>An inclusion proof and what it proves.</summary>
/// <param name="Index">The record.</param>
/// <param name="TreeSize">The tree size.</param>
/// <param name="LeafHash">The record's leaf hash.</param>
/// <param name="Root">The tree's root at that size.</param>
/// <param name="Proof">The audit path, bottom-up.</param>
/// <param name="Verified">Whether the proof checked out with the RFC 9162 algorithm.</param>
public sealed record InclusionProof(long Index, long TreeSize, byte[] LeafHash, byte[] Root, IReadOnlyList<byte[]> Proof, bool Verified);
