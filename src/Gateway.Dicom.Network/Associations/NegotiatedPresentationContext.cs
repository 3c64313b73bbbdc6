using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Associations;

/// <summary>A presentation context after negotiation: what was proposed and what was decided.</summary>
/// <param name="Id">The presentation context id.</param>
/// <param name="AbstractSyntax">The abstract syntax (SOP class) UID.</param>
/// <param name="Result">Accepted, or why not.</param>
/// <param name="TransferSyntax">The accepted transfer syntax (meaningful only when accepted).</param>
/// <param name="RequesterIsScu">True when the association requester may act as SCU for this SOP class (the default).</param>
/// <param name="RequesterIsScp">True when the association requester may act as SCP (negotiated role selection, as for C-GET storage).</param>
public sealed record NegotiatedPresentationContext(
    byte Id,
    string AbstractSyntax,
    PresentationContextResult Result,
    DicomTransferSyntax TransferSyntax,
    bool RequesterIsScu = true,
    bool RequesterIsScp = false)
{
    /// <summary>True when the context was accepted.</summary>
    public bool IsAccepted => Result == PresentationContextResult.Acceptance;
}
