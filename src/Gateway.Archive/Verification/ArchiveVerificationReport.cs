namespace Gateway.Archive.Verification;

/// <summary>What a verification scan of the archive's objects found.</summary>
public sealed record ArchiveVerificationReport
{
    /// <summary>Objects the index references (conflict copies included), each read to its end.</summary>
    public required long ObjectsChecked { get; init; }

    /// <summary>Ciphertext bytes read.</summary>
    public required long BytesChecked { get; init; }

    /// <summary>Every object that failed: missing, altered (hash or GCM tag), truncated, or swapped.</summary>
    public required IReadOnlyList<ArchiveObjectProblem> Problems { get; init; }

    /// <summary>Files under <c>archive/objects</c> that are no object of the index (for example renamed by ransomware), at most 1000.</summary>
    public required IReadOnlyList<string> UnknownFiles { get; init; }

    /// <summary>True when every indexed object verified.</summary>
    public bool IsValid => Problems.Count == 0;
}
