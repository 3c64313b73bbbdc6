namespace Gateway.Identity.Validation;

/// <summary>Facts about the association a DIMSE user identity arrived on, for the audit record.</summary>
/// <param name="RemoteAddress">The requester's IP address.</param>
/// <param name="CallingAE">The calling AE title.</param>
/// <param name="AssociationId">The association id.</param>
public sealed record DimseIdentityContext(string? RemoteAddress, string? CallingAE, string? AssociationId);
