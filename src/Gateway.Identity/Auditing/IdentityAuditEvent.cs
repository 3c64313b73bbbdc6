namespace Gateway.Identity.Auditing;

/// <summary>
/// One authentication event, for the audit log. Never carries a password, secret, passcode or token: only who, how,
/// from where, and the outcome.
/// </summary>
public sealed record IdentityAuditEvent
{
    /// <summary>Login or logout.</summary>
    public required IdentityAuditKind Kind { get; init; }

    /// <summary>How.</summary>
    public required IdentityMethod Method { get; init; }

    /// <summary>Whether it succeeded.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>
    /// Who: the user id or client id. For a failure this is what the requester claimed (possibly an id that does not exist),
    /// or <c>(none)</c>.
    /// </summary>
    public required string Subject { get; init; }

    /// <summary>True when the subject is a client application acting for itself.</summary>
    public bool SubjectIsClient { get; init; }

    /// <summary>The client application a user signed in through, if any.</summary>
    public string? ClientId { get; init; }

    /// <summary>The requester's IP address, if known.</summary>
    public string? RemoteAddress { get; init; }

    /// <summary>Why it failed: a stable code (<c>invalid-credentials</c>, <c>invalid_client</c>, <c>locked-out</c>...), or null.</summary>
    public string? FailureReason { get; init; }

    /// <summary>DIMSE: the calling AE title, if any.</summary>
    public string? CallingAE { get; init; }

    /// <summary>DIMSE: the association id, if any.</summary>
    public string? AssociationId { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset Time { get; init; }
}
