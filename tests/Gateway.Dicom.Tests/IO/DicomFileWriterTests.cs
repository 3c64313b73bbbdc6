using System.Buffers.Binary;
using System.Text;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed class DicomFileWriterTests
{
    public static TheoryData<string> UncompressedSyntaxes() => [.. TestData.Uncompressed.Select(ts => ts.Uid.Value)];

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    public async Task WriteAsync_AnySyntax_WritesPreambleDicmAndGroupLength(string syntaxUid)
    {
        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(syntaxUid);

        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), syntax);

        Assert.All(file[..128], b => Assert.Equal(0, b));
        Assert.Equal("DICM", Encoding.ASCII.GetString(file, 128, 4));

        // (0002,0000) UL, length 4, explicit VR little endian; its value counts every meta byte after it.
        Assert.Equal("02000000" + "554C" + "0400", Convert.ToHexString(file, 132, 8));
        uint groupLength = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(140));
        Assert.Equal(Part10.DatasetOffset(file) - 144, (int)groupLength);
    }

    [Theory]
    [MemberData(nameof(UncompressedSyntaxes))]
    public async Task WriteAsync_AnySyntax_WritesMetaInExplicitLittleEndianInTagOrder(string syntaxUid)
    {
        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(syntaxUid);

        byte[] file = await TestData.WriteFileAsync(TestData.RichDataset(), syntax);

        var meta = Part10.MetaElements(file);
        Assert.Equal(
            [
                (DicomTags.FileMetaInformationGroupLength, "UL"),
                (DicomTags.FileMetaInformationVersion, "OB"),
                (DicomTags.MediaStorageSOPClassUID, "UI"),
                (DicomTags.MediaStorageSOPInstanceUID, "UI"),
                (DicomTags.TransferSyntaxUID, "UI"),
                (DicomTags.ImplementationClassUID, "UI"),
                (DicomTags.ImplementationVersionName, "SH"),
            ],
            meta.Select(m => (m.Tag, m.VR)));
        Assert.Equal("0001", Convert.ToHexString(meta[1].Value));
        Assert.Equal(DicomUids.CTImageStorage.Value + "\0", Encoding.ASCII.GetString(meta[2].Value));
        Assert.Equal(TestData.SopInstanceUid, Encoding.ASCII.GetString(meta[3].Value).TrimEnd('\0'));
        Assert.Equal(syntaxUid, Encoding.ASCII.GetString(meta[4].Value).TrimEnd('\0'));
        Assert.All(meta, m => Assert.Equal(0, m.Value.Length % 2));
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2", Encodings.ImplicitLE)]
    [InlineData("1.2.840.10008.1.2.1", Encodings.ExplicitLE)]
    [InlineData("1.2.840.10008.1.2.2", Encodings.ExplicitBE)]
    [InlineData("1.2.840.10008.1.2.1.99", Encodings.ExplicitLE)]
    public async Task WriteAsync_EveryVR_DatasetAfterMetaIsHandBuiltEncoding(string syntaxUid, string encoding)
    {
        var ds = new DicomDataset();
        foreach (VRSample s in VRSample.All)
        {
            ds.Set(new DicomElement(s.Tag, DicomVR.Parse(s.VR), s.Value));
        }

        DicomTransferSyntax syntax = DicomTransferSyntax.Parse(syntaxUid);
        byte[] file = await TestData.WriteFileAsync(ds, syntax);

        byte[] body = file[Part10.DatasetOffset(file)..];
        if (syntax.IsDeflated)
        {
            // PS3.5 A.5: the data set is deflated (RFC 1951, no zlib header) after the File Meta Information.
            body = Part10.Inflate(body);
        }

        byte[] expected = [.. VRSample.All.OrderBy(s => s.Tag).SelectMany(s => Encodings.Element(s, encoding))];
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(body));
    }

    [Fact]
    public void BuildFileMetaInformation_SourceMeta_CarriesAETitlesAndPrivateElementsButSetsSyntax()
    {
        var source = new DicomDataset();
        source.SetUInt32(DicomTags.FileMetaInformationGroupLength, 999);
        source.SetString(DicomTags.TransferSyntaxUID, DicomVR.UI, DicomTransferSyntax.ExplicitVRBigEndian.Uid.Value);
        source.SetString(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, "MODALITY");
        source.SetString(DicomTags.PrivateInformationCreatorUID, DicomVR.UI, "1.2.3");
        source.SetString(DicomTags.PatientID, DicomVR.LO, "NOT META");

        DicomDataset meta = DicomFileWriter.BuildFileMetaInformation(source, new DicomUid("1.2.840.10008.5.1.4.1.1.7"), new DicomUid("1.2.3.4"), DicomTransferSyntax.ImplicitVRLittleEndian);

        Assert.False(meta.Contains(DicomTags.FileMetaInformationGroupLength));
        Assert.False(meta.Contains(DicomTags.PatientID));
        Assert.Equal("1.2.840.10008.1.2", meta.GetString(DicomTags.TransferSyntaxUID));
        Assert.Equal("MODALITY", meta.GetString(DicomTags.SourceApplicationEntityTitle));
        Assert.Equal("1.2.3", meta.GetString(DicomTags.PrivateInformationCreatorUID));
        Assert.Equal("1.2.840.10008.5.1.4.1.1.7", meta.GetString(DicomTags.MediaStorageSOPClassUID));
        Assert.Equal("1.2.3.4", meta.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.Equal(DicomFileWriter.ImplementationClassUid.Value, meta.GetString(DicomTags.ImplementationClassUID));
        Assert.True(DicomFileWriter.ImplementationClassUid.IsValid);
        Assert.InRange(DicomFileWriter.ImplementationVersionName.Length, 1, 16);
    }

    [Fact]
    public async Task WriteAsync_DatasetWithoutSopUids_OmitsMediaStorageElements()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.PatientID, DicomVR.LO, "ID");

        byte[] file = await TestData.WriteFileAsync(ds, DicomTransferSyntax.ExplicitVRLittleEndian);

        var tags = Part10.MetaElements(file).Select(m => m.Tag).ToList();
        Assert.DoesNotContain(DicomTags.MediaStorageSOPClassUID, tags);
        Assert.DoesNotContain(DicomTags.MediaStorageSOPInstanceUID, tags);
        Assert.Contains(DicomTags.TransferSyntaxUID, tags);
    }
}
