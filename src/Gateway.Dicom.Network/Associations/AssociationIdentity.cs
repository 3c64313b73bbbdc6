namespace Gateway.Dicom.Network.Associations;

/// <summary>
/// A user identity (PS3.7 D.3.3.7) an acceptor has verified: who it is, as the acceptor's own type, and the
/// Server-response to send when the requester asked for a positive response.
/// </summary>
/// <param name="Principal">Whatever the acceptor's authenticator made of the identity (for example a validated token's subject and roles).</param>
/// <param name="ServerResponse">The Server-response field (empty for the username types).</param>
public sealed record AssociationIdentity(object Principal, ReadOnlyMemory<byte> ServerResponse);
