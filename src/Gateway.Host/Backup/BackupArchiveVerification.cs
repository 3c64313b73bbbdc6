using Gateway.Archive.Verification;

namespace Gateway.Host.Backup;

/// <summary>A verification scan of the running archive: every object read through the decrypting reader (GCM tags, UID binding, length).</summary>
public sealed record BackupArchiveVerification
{
    /// <summary>When the scan started, UTC.</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>How long it took.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Who asked for it; null for the gateway itself.</summary>
    public string? RequestedBy { get; init; }

    /// <summary>Objects read to their end.</summary>
    public required long ObjectsChecked { get; init; }

    /// <summary>Ciphertext bytes read.</summary>
    public required long BytesChecked { get; init; }

    /// <summary>Every object that failed (object name, SOP Instance UID, index row, reason; no PHI).</summary>
    public required IReadOnlyList<ArchiveObjectProblem> Damaged { get; init; }

    /// <summary>Files under <c>archive/objects</c> that are no object of the index (at most 1000).</summary>
    public required IReadOnlyList<string> UnknownFiles { get; init; }

    /// <summary>True when every indexed object verified.</summary>
    public bool IsValid => Damaged.Count == 0;
}
