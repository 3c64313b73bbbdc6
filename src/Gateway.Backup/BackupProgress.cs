namespace Gateway.Backup;

/// <summary>How far a long backup operation is.</summary>
/// <param name="Phase">What it does now (for example <c>copying</c>, <c>verifying objects</c>).</param>
/// <param name="BytesDone">Bytes processed in this phase.</param>
/// <param name="BytesTotal">Bytes this phase will process.</param>
public readonly record struct BackupProgress(string Phase, long BytesDone, long BytesTotal);
