namespace Gateway.Dicom.Network.Pdus;

/// <summary>User Identity sub-item of an A-ASSOCIATE-RQ (PS3.7 D.3.3.7.1).</summary>
/// <param name="IdentityType">The kind of identity.</param>
/// <param name="PositiveResponseRequested">True when the requester asks for a positive response (a User Identity sub-item in the AC).</param>
/// <param name="PrimaryField">The username, ticket, assertion or token.</param>
/// <param name="SecondaryField">The passcode (username and passcode only), else empty.</param>
public sealed record UserIdentityRequest(UserIdentityType IdentityType, bool PositiveResponseRequested, ReadOnlyMemory<byte> PrimaryField, ReadOnlyMemory<byte> SecondaryField)
{
    /// <summary>Never prints the secret fields.</summary>
    public override string ToString() => $"UserIdentityRequest {{ IdentityType = {IdentityType}, PositiveResponseRequested = {PositiveResponseRequested}, PrimaryField = {PrimaryField.Length} bytes, SecondaryField = {SecondaryField.Length} bytes }}";
}
