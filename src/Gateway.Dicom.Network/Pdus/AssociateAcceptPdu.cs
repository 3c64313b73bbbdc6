namespace Gateway.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-AC (PS3.8 9.3.3).</summary>
public sealed record AssociateAcceptPdu : AssociatePdu
{
    /// <inheritdoc />
    public override PduType Type => PduType.AssociateAccept;

    /// <summary>The answer to every proposed presentation context.</summary>
    public required IReadOnlyList<PresentationContextAnswer> PresentationContexts { get; init; }
}
