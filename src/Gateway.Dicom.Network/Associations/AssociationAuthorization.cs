using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Associations;

/// <summary>What an acceptor knows about a peer asking for an association: the request, where it came from, and its TLS certificate.</summary>
/// <param name="Request">The A-ASSOCIATE-RQ.</param>
/// <param name="RemoteEndPoint">The peer's address and port.</param>
/// <param name="Certificate">The certificate the peer presented on a TLS connection (already validated), or null.</param>
public sealed record AssociationAuthorizationContext(AssociateRequestPdu Request, EndPoint? RemoteEndPoint, X509Certificate? Certificate)
{
    /// <summary>The user identity <see cref="AssociationAcceptancePolicy.Authenticate"/> verified, or null when none was sent or checked.</summary>
    public AssociationIdentity? Identity { get; init; }
}

/// <summary>
/// The answer of <see cref="AssociationAcceptancePolicy.Authorize"/>: reject the association, or accept it with only
/// the abstract syntaxes the caller's rules allow (the others are answered "user rejection"), carrying a state (for
/// example the policy decision) that request handlers read from <see cref="DicomAssociation.Authorization"/>.
/// </summary>
public sealed record AssociationAuthorization
{
    /// <summary>The rejection to send, or null to go on.</summary>
    public AssociateRejectPdu? Reject { get; init; }

    /// <summary>True for the abstract syntaxes that may be accepted; null accepts whatever the policy's syntaxes allow.</summary>
    public Func<string, bool>? AcceptsAbstractSyntax { get; init; }

    /// <summary>Whatever the caller wants to keep with the association.</summary>
    public object? State { get; init; }

    /// <summary>A rejection.</summary>
    public static AssociationAuthorization Rejected(AssociateRejectPdu reject) => new() { Reject = reject };
}
