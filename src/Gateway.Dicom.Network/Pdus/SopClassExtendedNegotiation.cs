namespace Gateway.Dicom.Network.Pdus;

/// <summary>SOP Class Extended Negotiation sub-item (PS3.7 D.3.3.5).</summary>
/// <param name="SopClassUid">The SOP class.</param>
/// <param name="ServiceClassApplicationInformation">The service-class-specific bytes (for example the Q/R relational-query flags).</param>
public sealed record SopClassExtendedNegotiation(string SopClassUid, ReadOnlyMemory<byte> ServiceClassApplicationInformation);
