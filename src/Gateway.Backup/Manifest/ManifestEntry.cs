namespace Gateway.Backup.Manifest;

/// <summary>One file of a snapshot: where it goes under the data directory, and what its bytes must hash to.</summary>
/// <param name="Path">The path relative to the data directory, forward slashes (for example <c>archive/objects/ab/….obj</c>).</param>
/// <param name="Sha256">SHA-256 of the file's bytes, 64 lowercase hex digits; also the name of its blob in the repository.</param>
/// <param name="Size">The file's length in bytes.</param>
/// <param name="ModifiedTicks">The source file's last write time (UTC ticks) when it was read: lets the next snapshot skip unchanged files.</param>
public sealed record ManifestEntry(string Path, string Sha256, long Size, long ModifiedTicks);
