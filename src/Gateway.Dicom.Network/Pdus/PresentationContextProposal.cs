namespace Gateway.Dicom.Network.Pdus;

/// <summary>A proposed presentation context of an A-ASSOCIATE-RQ (PS3.8 9.3.2.2): an abstract syntax and the transfer syntaxes offered for it.</summary>
/// <param name="Id">The presentation context id: odd, 1-255.</param>
/// <param name="AbstractSyntax">The abstract syntax (SOP class) UID.</param>
/// <param name="TransferSyntaxes">The transfer syntax UIDs offered, in the proposer's preference.</param>
public sealed record PresentationContextProposal(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);
