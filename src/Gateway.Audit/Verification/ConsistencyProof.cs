namespace Gateway.Audit.Verification;

/// <summary>A consistency proof and what it proves.</summary>
/// <param name="FromSize">The older tree size.</param>
/// <param name="ToSize">The newer tree size.</param>
/// <param name="FromRoot">The older root.</param>
/// <param name="ToRoot">The newer root.</param>
/// <param name="Proof">The proof nodes.</param>
/// <param name="Verified">Whether the proof checked out with the RFC 9162 algorithm.</param>
public sealed record ConsistencyProof(long FromSize, long ToSize, byte[] FromRoot, byte[] ToRoot, IReadOnlyList<byte[]> Proof, bool Verified);
