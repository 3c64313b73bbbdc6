namespace Gateway.Archive.Verification;

/// <summary>One archive object that failed verification: missing, altered, truncated, or not decryptable with its key.</summary>
/// <param name="ObjectName">The object's file name (32 hex digits, without directory or extension).</param>
/// <param name="SopInstanceUid">The SOP Instance UID its index row names.</param>
/// <param name="InstanceId">The index row id.</param>
/// <param name="Reason">What failed (no PHI: object names, chunk numbers and sizes only).</param>
public sealed record ArchiveObjectProblem(string ObjectName, string SopInstanceUid, long InstanceId, string Reason);
