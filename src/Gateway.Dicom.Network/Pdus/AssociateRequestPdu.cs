namespace Gateway.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-RQ (PS3.8 9.3.2).</summary>
public sealed record AssociateRequestPdu : AssociatePdu
{
    /// <inheritdoc />
    public override PduType Type => PduType.AssociateRequest;

    /// <summary>The proposed presentation contexts.</summary>
    public required IReadOnlyList<PresentationContextProposal> PresentationContexts { get; init; }
}
