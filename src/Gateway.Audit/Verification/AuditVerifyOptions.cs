using Gateway.Audit.Storage;

namespace Gateway.Audit.Verification;

/// <summary>How deep <see cref="AuditLogVerifier"/> looks.</summary>
public sealed record AuditVerifyOptions
{
    /// <summary>When set, every record is also decrypted (GCM tag) and its clear header compared with its contents.</summary>
    public AuditDataKey? DataKey { get; init; }

    /// <summary>
    /// Accept records after the latest checkpoint (a live log signs every N records or T seconds). Default false: on a
    /// stopped log every record is covered, since the writer signs at shutdown, so unsigned records are suspect.
    /// </summary>
    public bool AllowUnsignedTail { get; init; }

    /// <summary>Stop after this many problems. Default 100.</summary>
    public int MaxProblems { get; init; } = 100;
}
