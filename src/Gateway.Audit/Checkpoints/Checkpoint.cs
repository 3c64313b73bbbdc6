namespace Gateway.Audit.Checkpoints;

/// <summary>A tree head: the log's origin, its size, the Merkle root over the first <see cref="Size"/> records, and when it was signed.</summary>
/// <param name="Origin">The log's name (the first line of the checkpoint).</param>
/// <param name="Size">The number of records covered.</param>
/// <param name="Root">MTH of those records (RFC 9162), 32 bytes.</param>
/// <param name="Time">When the checkpoint was made (UTC, millisecond precision).</param>
public sealed record Checkpoint(string Origin, long Size, byte[] Root, DateTimeOffset Time);
