namespace Gateway.Policy;

/// <summary>Why a decision came out as it did. <see cref="PolicyReasons.Code"/> gives the stable kebab-case code used in output and audit records.</summary>
public enum PolicyReason : byte
{
    /// <summary><c>no-matching-rule</c>: the requester is known but no rule covers the request (default deny).</summary>
    NoMatchingRule,

    /// <summary><c>allowed</c>: a flow or role grant allowed the request.</summary>
    Allowed,

    /// <summary><c>invalid-request</c>: the request lacks a fact the protocol needs, or names an operation of another protocol.</summary>
    InvalidRequest,

    /// <summary><c>unknown-peer</c>: no peer has the calling AE title.</summary>
    UnknownPeer,

    /// <summary><c>address-mismatch</c>: a known AE title or client from an address its bindings do not list (spoofing alert).</summary>
    AddressMismatch,

    /// <summary><c>certificate-required</c>: a peer or client bound to a certificate presented none (spoofing alert).</summary>
    CertificateRequired,

    /// <summary><c>certificate-mismatch</c>: the presented certificate does not match the binding (spoofing alert).</summary>
    CertificateMismatch,

    /// <summary><c>unknown-service</c>: the called AE title or service name is not a service of the policy.</summary>
    UnknownService,

    /// <summary><c>unknown-client</c>: the DICOMweb or admin client id is not in the policy.</summary>
    UnknownClient,

    /// <summary><c>unknown-user</c>: the user is not in the policy and carries no role the policy accepts from tokens.</summary>
    UnknownUser,

    /// <summary><c>operation-not-allowed</c>: a rule for this requester and service exists, but none allows the operation.</summary>
    OperationNotAllowed,

    /// <summary><c>sop-class-required</c>: the operation needs a SOP class UID and the request has none.</summary>
    SopClassRequired,

    /// <summary><c>sop-class-not-allowed</c>: no rule allowing the operation allows the SOP class.</summary>
    SopClassNotAllowed,

    /// <summary><c>move-destination-not-allowed</c>: no rule allowing the C-MOVE allows its destination AE title.</summary>
    MoveDestinationNotAllowed,

    /// <summary><c>outside-time-window</c>: the matching rules allow the request only at other times.</summary>
    OutsideTimeWindow,

    /// <summary><c>object-too-large</c>: the object is larger than the matching rules allow.</summary>
    ObjectTooLarge,

    /// <summary><c>client-not-allowed</c>: the user may do this, but the client application acting for them may not.</summary>
    ClientNotAllowed,

    /// <summary>The flow requires a verified user identity on the association and there is none.</summary>
    IdentityRequired,

    /// <summary>The association's identity holds none of the roles the flow requires.</summary>
    IdentityRoleNotAllowed,
}
