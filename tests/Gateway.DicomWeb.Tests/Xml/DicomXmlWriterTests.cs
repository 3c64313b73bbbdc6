using System.Xml.Linq;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Tests.Support;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Xml;

namespace Gateway.DicomWeb.Tests.Xml;

public sealed class DicomXmlWriterTests
{
    [Fact]
    public void Serialize_SmallDataset_WritesTheNativeDicomModel()
    {
        var item = new DicomDataset().SetString(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3");
        var ds = new DicomDataset()
            .SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100")
            .SetString(DicomTags.ImageType, DicomVR.CS, "ORIGINAL", string.Empty, "AXIAL")
            .SetString(DicomTags.PatientName, DicomVR.PN, "Müller^Jürgen^^Dr.=Ideo")
            .SetUInt16(DicomTags.Rows, 512);
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, [item]));
        ds.Set(new DicomElement(DicomTags.FrameIncrementPointer, DicomVR.AT, new byte[] { 0x18, 0x00, 0x63, 0x10 }));
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[] { 1, 2 }));

        string xml = DicomXmlWriter.Serialize(ds);

        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><NativeDicomModel xml:space=\"preserve\">" +
            "<DicomAttribute tag=\"00080005\" vr=\"CS\" keyword=\"SpecificCharacterSet\"><Value number=\"1\">ISO_IR 192</Value></DicomAttribute>" +
            "<DicomAttribute tag=\"00080008\" vr=\"CS\" keyword=\"ImageType\"><Value number=\"1\">ORIGINAL</Value><Value number=\"2\"></Value><Value number=\"3\">AXIAL</Value></DicomAttribute>" +
            "<DicomAttribute tag=\"00081140\" vr=\"SQ\" keyword=\"ReferencedImageSequence\"><Item number=\"1\">" +
            "<DicomAttribute tag=\"00081155\" vr=\"UI\" keyword=\"ReferencedSOPInstanceUID\"><Value number=\"1\">1.2.3</Value></DicomAttribute></Item></DicomAttribute>" +
            "<DicomAttribute tag=\"00100010\" vr=\"PN\" keyword=\"PatientName\"><PersonName number=\"1\"><Alphabetic><FamilyName>Müller</FamilyName><GivenName>Jürgen</GivenName>" +
            "<NamePrefix>Dr.</NamePrefix></Alphabetic><Ideographic><FamilyName>Ideo</FamilyName></Ideographic></PersonName></DicomAttribute>" +
            "<DicomAttribute tag=\"00280009\" vr=\"AT\" keyword=\"FrameIncrementPointer\"><Value number=\"1\">00181063</Value></DicomAttribute>" +
            "<DicomAttribute tag=\"00280010\" vr=\"US\" keyword=\"Rows\"><Value number=\"1\">512</Value></DicomAttribute>" +
            "<DicomAttribute tag=\"7FE00010\" vr=\"OW\" keyword=\"PixelData\"><InlineBinary>AQI=</InlineBinary></DicomAttribute>" +
            "</NativeDicomModel>",
            xml);
    }

    [Fact]
    public void Serialize_PrivateElement_IsNamedByCreatorAndLowByte()
    {
        XDocument doc = XDocument.Parse(DicomXmlWriter.Serialize(TestData.RichDataset()));

        // (0029,0010) is the creator; (0029,1010) and (0029,1008) are its elements 10 and 08 (PS3.19 A.1: gggg00ee).
        XElement creator = doc.Root!.Elements("DicomAttribute").Single(e => e.Attribute("tag")!.Value == "00290010" && e.Attribute("privateCreator") is null);
        XElement element = Attribute(doc, "00290008");
        XElement other = doc.Root!.Elements("DicomAttribute").Single(e => e.Attribute("tag")!.Value == "00290010" && e.Attribute("privateCreator") is not null);
        Assert.Null(creator.Attribute("keyword"));
        Assert.Null(creator.Attribute("privateCreator"));
        Assert.Equal("SIEMENS CSA HEADER", element.Attribute("privateCreator")!.Value);
        Assert.Equal(("OB", "SIEMENS CSA HEADER"), (other.Attribute("vr")!.Value, other.Attribute("privateCreator")!.Value));
        Assert.Null(element.Attribute("keyword"));
    }

    [Fact]
    public void Serialize_BulkDataOverThreshold_WritesBulkDataUri()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[64]));

        XDocument doc = XDocument.Parse(DicomXmlWriter.Serialize(ds, new DicomWebJsonWriterOptions { InlineBinaryThreshold = 16, BulkDataUri = b => "http://h/bulk/" + b.Path }));

        Assert.Equal("http://h/bulk/7FE00010", Attribute(doc, "7FE00010").Element("BulkData")!.Attribute("uri")!.Value);
    }

    [Fact]
    public void Serialize_ControlCharactersInText_AreReplacedNotThrown()
    {
        var ds = new DicomDataset()
            .SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192")
            .SetString(DicomTags.PatientComments, DicomVR.LT, "a\u0001b\u001Bc 😀");

        XDocument doc = XDocument.Parse(DicomXmlWriter.Serialize(ds));

        Assert.Equal("a\uFFFDb\uFFFDc 😀", Attribute(doc, "00104000").Element("Value")!.Value);
    }

    [Fact]
    public void Serialize_DeepNesting_DoesNotRecurse()
    {
        DicomDataset ds = new();
        DicomDataset current = ds;
        for (int i = 0; i < 2000; i++)
        {
            var next = new DicomDataset(current);
            current.Set(new DicomSequence(new DicomTag(0x0040, 0xA730), [next]));
            current = next;
        }

        string xml = DicomXmlWriter.Serialize(ds);

        Assert.Equal(2000, System.Text.RegularExpressions.Regex.Count(xml, "<Item number=\"1\""));
    }

    private static XElement Attribute(XDocument doc, string tag) =>
        doc.Root!.Elements("DicomAttribute").Single(e => e.Attribute("tag")!.Value == tag);
}
