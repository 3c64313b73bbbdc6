namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>An uncompressed transfer syntax the transcoder writes, with dcmconv's option for the same conversion.</summary>
internal sealed record TargetSyntax(string Name, DicomTransferSyntax Syntax, string DcmconvOption)
{
    public static readonly TargetSyntax ImplicitLE = new("implicit-le", DicomTransferSyntax.ImplicitVRLittleEndian, "+ti");
    public static readonly TargetSyntax ExplicitLE = new("explicit-le", DicomTransferSyntax.ExplicitVRLittleEndian, "+te");
    public static readonly TargetSyntax ExplicitBE = new("explicit-be", DicomTransferSyntax.ExplicitVRBigEndian, "+tb");
    public static readonly TargetSyntax Deflated = new("deflated", DicomTransferSyntax.DeflatedExplicitVRLittleEndian, "+td");

    public static IReadOnlyList<TargetSyntax> All { get; } = [ImplicitLE, ExplicitLE, ExplicitBE, Deflated];

    public static TargetSyntax Named(string name) => All.Single(t => t.Name == name);
}
