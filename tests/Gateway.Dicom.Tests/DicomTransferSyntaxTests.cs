namespace Gateway.Dicom.Tests;

public sealed class DicomTransferSyntaxTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2", false, false, false, false)]
    [InlineData("1.2.840.10008.1.2.1", true, false, false, false)]
    [InlineData("1.2.840.10008.1.2.2", true, true, false, false)]
    [InlineData("1.2.840.10008.1.2.1.99", true, false, true, false)]
    [InlineData("1.2.840.10008.1.2.4.50", true, false, false, true)]
    [InlineData("1.2.840.10008.1.2.5", true, false, false, true)]
    [InlineData("1.2.840.10008.1.2.1.98", true, false, false, true)]
    public void Parse_KnownUid_HasEncodingAndFlags(string uid, bool isExplicit, bool bigEndian, bool deflated, bool encapsulated)
    {
        DicomTransferSyntax ts = DicomTransferSyntax.Parse(uid);

        Assert.True(ts.IsKnown);
        Assert.Equal(new DicomEncoding(isExplicit, bigEndian), ts.Encoding);
        Assert.Equal(deflated, ts.IsDeflated);
        Assert.Equal(encapsulated, ts.IsEncapsulated);
    }

    [Fact]
    public void TryLookup_PaddedUid_FindsSameInstance()
    {
        Assert.True(DicomTransferSyntax.TryLookup("1.2.840.10008.1.2.1\0", out DicomTransferSyntax ts));

        Assert.Same(DicomTransferSyntax.ExplicitVRLittleEndian, ts);
        Assert.True(DicomTransferSyntax.ExplicitVRBigEndian.IsRetired);
    }

    [Fact]
    public void TryLookup_UnknownValidUid_IsEncapsulatedExplicitLittleEndian()
    {
        Assert.True(DicomTransferSyntax.TryLookup("1.2.840.10008.1.2.4.999", out DicomTransferSyntax ts));

        Assert.False(ts.IsKnown);
        Assert.True(ts.IsEncapsulated);
        Assert.Equal(DicomEncoding.ExplicitLittleEndian, ts.Encoding);
        Assert.Equal(ts, DicomTransferSyntax.Parse("1.2.840.10008.1.2.4.999"));
    }

    [Fact]
    public void TryLookup_InvalidUid_ReturnsFalseAndParseThrows()
    {
        Assert.False(DicomTransferSyntax.TryLookup("not a uid", out _));
        Assert.Throws<ArgumentException>(() => DicomTransferSyntax.Parse("1..2"));
    }

    [Fact]
    public void All_KnownSyntaxes_AreRegisteredTransferSyntaxUids()
    {
        Assert.All(DicomTransferSyntax.All, ts =>
        {
            Assert.True(ts.Uid.IsValid);
            Assert.True(ts.IsKnown);
        });
        Assert.Contains(DicomTransferSyntax.DeflatedExplicitVRLittleEndian, DicomTransferSyntax.All);
        Assert.Equal(DicomUidType.TransferSyntax, DicomUids.Find(DicomTransferSyntax.JpegBaseline.Uid.Value)!.Type);
    }
}
