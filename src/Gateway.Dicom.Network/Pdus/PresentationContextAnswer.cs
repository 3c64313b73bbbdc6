namespace Gateway.Dicom.Network.Pdus;

/// <summary>The answer to one presentation context in an A-ASSOCIATE-AC (PS3.8 9.3.3.2).</summary>
/// <param name="Id">The presentation context id it answers.</param>
/// <param name="Result">Accepted, or why not.</param>
/// <param name="TransferSyntax">The transfer syntax UID chosen (meaningful only when accepted).</param>
public sealed record PresentationContextAnswer(byte Id, PresentationContextResult Result, string TransferSyntax);
