namespace Gateway.Audit.Export;

/// <summary>
/// The files of an export bundle (a directory, or the same names in a zip):
/// <code>
/// README.txt          what the bundle is and how to check it
/// manifest.json       format, records file, counts, checkpoint size, the filter used
/// records.*           the decrypted records (jsonl, csv, xml or fhir.json)
/// proofs.jsonl        per record: index, leaf (the stored, encrypted bytes), leaf hash, the record's one-time key,
///                     and the RFC 9162 inclusion proof to the checkpoint
/// checkpoint.txt      the signed checkpoint (C2SP signed note)
/// public-key.txt      the log's verifier key (compare it with a trusted copy, or pass one to verify-export)
/// </code>
/// </summary>
public static class AuditBundle
{
    /// <summary>The README.</summary>
    public const string Readme = "README.txt";

    /// <summary>The manifest.</summary>
    public const string Manifest = "manifest.json";

    /// <summary>The proofs.</summary>
    public const string Proofs = "proofs.jsonl";

    /// <summary>The checkpoint.</summary>
    public const string Checkpoint = "checkpoint.txt";

    /// <summary>The public key.</summary>
    public const string PublicKey = "public-key.txt";

    /// <summary>Largest file a bundle may hold (checked before reading).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Most files a bundle may hold.</summary>
    public const int MaxFiles = 16;

    /// <summary>Longest line of proofs.jsonl.</summary>
    public const int MaxProofLineBytes = 2 * 1024 * 1024;

    /// <summary>Most hashes in one inclusion proof (a tree of 2^64 leaves needs 64).</summary>
    public const int MaxProofHashes = 64;
}
