namespace Gateway.Archive.Rebuild;

/// <summary>An object the rebuild did not index.</summary>
/// <param name="ObjectName">The object's file name (32 hex digits, without directory or extension).</param>
/// <param name="Reason">Why (no PHI: object names, key versions, chunk numbers only).</param>
public sealed record IndexRebuildFailure(string ObjectName, string Reason);
