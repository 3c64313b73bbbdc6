namespace Gateway.Archive.Verification;

/// <summary>How far a verification scan is: objects and ciphertext bytes checked out of the totals.</summary>
/// <param name="ObjectsDone">Objects checked so far.</param>
/// <param name="ObjectsTotal">Objects to check.</param>
/// <param name="BytesDone">Ciphertext bytes read so far.</param>
/// <param name="BytesTotal">Ciphertext bytes to read (the object files' sizes at the start of the scan).</param>
public readonly record struct ArchiveVerifyProgress(long ObjectsDone, long ObjectsTotal, long BytesDone, long BytesTotal);
