using System.Security.Cryptography;
using Gateway.Audit.Checkpoints;

namespace Gateway.Backup.Manifest;

/// <summary>
/// The signature of a snapshot (or a drill report): a C2SP signed note, Ed25519 (BouncyCastle, as the audit checkpoints),
/// over a body that binds the exact bytes of the signed file, its id, its Merkle root and its retention date.
/// </summary>
/// <remarks>
/// <code>
/// gateway-backup/1 KIND
/// ID
/// SHA-256 of the signed file, hex
/// Merkle root, hex (a report: the SHA-256 again)
/// retain-until yyyy-MM-ddTHH:mm:ss.fffZ
/// </code>
/// </remarks>
public static class SnapshotSignature
{
    /// <summary>The kind of a snapshot manifest.</summary>
    public const string SnapshotKind = "snapshot";

    /// <summary>The kind of a drill report.</summary>
    public const string DrillKind = "drill";

    /// <summary>Signs <paramref name="signedFile"/> (the exact bytes written) under <paramref name="id"/>.</summary>
    public static string Sign(NoteSigner signer, string kind, string id, ReadOnlySpan<byte> signedFile, string root, DateTimeOffset retainUntil)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return signer.Sign(Body(kind, id, Convert.ToHexStringLower(SHA256.HashData(signedFile)), root, retainUntil));
    }

    /// <summary>
    /// Checks that <paramref name="note"/> is signed by <paramref name="verifier"/> and binds exactly
    /// <paramref name="signedFile"/>, <paramref name="id"/>, <paramref name="root"/> and <paramref name="retainUntil"/>.
    /// </summary>
    /// <exception cref="SnapshotIntegrityException">The signature is missing, not by that key, or binds something else.</exception>
    public static void Verify(string note, NoteVerifier verifier, string kind, string id, ReadOnlySpan<byte> signedFile, string root, DateTimeOffset retainUntil)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(verifier);
        string body;
        try
        {
            body = SignedNote.Open(note, verifier);
        }
        catch (FormatException ex)
        {
            throw new SnapshotIntegrityException($"the {kind} {id} is not signed by {verifier.Name}+{NoteKeys.Hex(verifier.KeyId)}: " + ex.Message, ex);
        }

        string expected = Body(kind, id, Convert.ToHexStringLower(SHA256.HashData(signedFile)), root, retainUntil);
        if (!string.Equals(body, expected, StringComparison.Ordinal))
        {
            throw new SnapshotIntegrityException($"the {kind} {id} differs from what was signed (file altered, or signature of another {kind})");
        }
    }

    private static string Body(string kind, string id, string sha256, string root, DateTimeOffset retainUntil) =>
        $"gateway-backup/1 {kind}\n{id}\n{sha256}\n{root}\nretain-until {ManifestSerializer.Time(retainUntil)}\n";
}
