namespace Gateway.Dicom.Network.Pdus;

/// <summary>Limits on PDUs received from a peer, checked before anything is allocated.</summary>
public sealed record PduLimits
{
    /// <summary>The defaults.</summary>
    public static PduLimits Default { get; } = new();

    /// <summary>
    /// The largest P-DATA-TF PDU accepted, and the Maximum Length announced to peers (PS3.8 D.1). Default 256 KiB,
    /// DCMTK's largest default is 128 KiB (storescp <c>-pdu</c>); a bigger PDU is an A-ABORT.
    /// </summary>
    public uint MaxDataPduLength { get; init; } = 256 * 1024;

    /// <summary>The largest A-ASSOCIATE-RQ/AC PDU accepted. Default 64 KiB (128 contexts with several syntaxes each fit easily).</summary>
    public uint MaxAssociatePduLength { get; init; } = 64 * 1024;

    /// <summary>Most presentation contexts in one A-ASSOCIATE-RQ (ids are odd 1-255, so at most 128).</summary>
    public int MaxPresentationContexts { get; init; } = 128;

    /// <summary>Most transfer syntaxes proposed for one presentation context.</summary>
    public int MaxTransferSyntaxesPerContext { get; init; } = 64;

    /// <summary>Most sub-items of any one kind in the User Information item.</summary>
    public int MaxUserInformationSubItems { get; init; } = 256;
}
