namespace Gateway.Dicom.Network.Pdus;

/// <summary>SOP Class Common Extended Negotiation sub-item (PS3.7 D.3.3.6), sent by the requester only.</summary>
/// <param name="SopClassUid">The SOP class.</param>
/// <param name="ServiceClassUid">The service class it belongs to.</param>
/// <param name="RelatedGeneralSopClassUids">Related general SOP classes.</param>
public sealed record SopClassCommonExtendedNegotiation(string SopClassUid, string ServiceClassUid, IReadOnlyList<string> RelatedGeneralSopClassUids);
