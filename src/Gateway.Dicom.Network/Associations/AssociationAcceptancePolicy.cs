using System.Net;
using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Associations;

/// <summary>How an acceptor answers an A-ASSOCIATE-RQ: which AE titles, abstract syntaxes and transfer syntaxes it accepts.</summary>
public sealed record AssociationAcceptancePolicy
{
    /// <summary>Our AE title. When <see cref="RequireCalledAE"/> is true, a request calling another title is rejected.</summary>
    public string AETitle { get; init; } = "GATEWAY";

    /// <summary>Reject requests whose called AE title is not <see cref="AETitle"/> (rejected-permanent, called AE title not recognized).</summary>
    public bool RequireCalledAE { get; init; }

    /// <summary>
    /// Extra screening of a request (calling AE title, address, user identity): return a rejection to refuse the
    /// association, or null to go on with presentation context negotiation.
    /// </summary>
    public Func<AssociateRequestPdu, EndPoint?, AssociateRejectPdu?>? Screen { get; init; }

    /// <summary>
    /// Decides on a request with everything known about the peer (its address and TLS certificate), after
    /// <see cref="Screen"/>: reject it, or narrow the abstract syntaxes it may use and attach a state to the association.
    /// </summary>
    public Func<AssociationAuthorizationContext, AssociationAuthorization>? Authorize { get; init; }

    /// <summary>The abstract syntaxes accepted and, for each, the transfer syntaxes in our order of preference.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DicomTransferSyntax>> AbstractSyntaxes { get; init; } =
        new Dictionary<string, IReadOnlyList<DicomTransferSyntax>>();

    /// <summary>Also accept every storage SOP class of the registry, with <see cref="StorageTransferSyntaxes"/>.</summary>
    public bool AcceptAllStorage { get; init; }

    /// <summary>
    /// Transfer syntaxes accepted for storage, in preference order. By default the uncompressed ones and every
    /// encapsulated syntax the codec knows: compressed data is stored as it came, never decoded.
    /// </summary>
    public IReadOnlyList<DicomTransferSyntax> StorageTransferSyntaxes { get; init; } = DefaultStorageTransferSyntaxes();

    /// <summary>Accept the SCP/SCU roles a requester proposes (needed to serve C-GET, whose C-STOREs go to the requester).</summary>
    public bool AcceptRoleSelection { get; init; } = true;

    /// <summary>
    /// Decides on a user identity (PS3.7 D.3.3.7): return the server response to send when accepted (empty for
    /// username types), or null to reject the association. Without a validator, identities are ignored.
    /// </summary>
    public Func<UserIdentityRequest, byte[]?>? IdentityValidator { get; init; }

    /// <summary>
    /// Verifies a user identity (PS3.7 D.3.3.7) before the association is negotiated, asynchronously (a token's keys,
    /// an account's password hash): the identity, which <see cref="Authorize"/> then sees and the association keeps in
    /// <see cref="DicomAssociation.Identity"/>; or null to reject the association (permanent, service-user, no reason
    /// given). Takes precedence over <see cref="IdentityValidator"/>. Requests without an identity are not passed here.
    /// </summary>
    public Func<UserIdentityRequest, AssociationAuthorizationContext, CancellationToken, ValueTask<AssociationIdentity?>>? Authenticate { get; init; }

    /// <summary>The uncompressed syntaxes first (explicit LE preferred), then every known encapsulated syntax.</summary>
    public static IReadOnlyList<DicomTransferSyntax> DefaultStorageTransferSyntaxes() =>
    [
        DicomTransferSyntax.ExplicitVRLittleEndian,
        DicomTransferSyntax.ImplicitVRLittleEndian,
        DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVRBigEndian,
        .. DicomTransferSyntax.All.Where(t => t.IsEncapsulated),
    ];
}
