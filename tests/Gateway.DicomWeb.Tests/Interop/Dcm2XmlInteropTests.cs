using System.Globalization;
using System.Xml.Linq;
using Gateway.Dicom.Interop.Tests.Support;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Xml;

namespace Gateway.DicomWeb.Tests.Interop;

/// <summary>The Native DICOM Model writer against DCMTK's <c>dcm2xml -nat +U8 +Eb</c> (UTF-8, InlineBinary) on the codec interop corpus.</summary>
public sealed class Dcm2XmlInteropTests(DcmtkFixture dcmtk) : IClassFixture<DcmtkFixture>
{
    private static readonly HashSet<string> NumericVRs = ["DS", "IS", "FL", "FD", "US", "SS", "UL", "SL", "SV", "UV"];

    // DCMTK 3.6.7 base64-encodes OW, OF, OD, OL and OV in big endian byte order; we write little endian, as JSON does.
    private static readonly Dictionary<string, int> WordVRs = new() { ["OW"] = 2, ["OF"] = 4, ["OL"] = 4, ["OD"] = 8, ["OV"] = 8 };

    public static TheoryData<string> UncompressedInputs => [.. InteropInput.All.Where(i => !i.IsEncapsulated).Select(i => i.Name)];

    [Theory]
    [MemberData(nameof(UncompressedInputs))]
    public async Task Serialize_EqualsDcm2xml(string name)
    {
        string path = await dcmtk.Corpus.GetAsync(InteropInput.Named(name));
        ToolResult dcm2xml = (await ExternalTool.RunAsync("dcm2xml", "-nat", "+U8", "+Eb", path)).EnsureSuccess();
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        DicomDataset dataset = await reader.ReadDatasetAsync();

        XDocument expected = XDocument.Parse(dcm2xml.StandardOutput);
        XDocument actual = XDocument.Parse(DicomXmlWriter.Serialize(dataset));

        var differences = new List<string>();
        Compare(expected.Root!, actual.Root!, string.Empty, differences);
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
    }

    private static void Compare(XElement expected, XElement actual, string path, List<string> differences)
    {
        List<XElement> e = [.. expected.Elements("DicomAttribute")];
        List<XElement> a = [.. actual.Elements("DicomAttribute")];
        if (!e.Select(Key).SequenceEqual(a.Select(Key)))
        {
            differences.Add($"{path}: attributes [{string.Join(' ', e.Select(Key))}] against [{string.Join(' ', a.Select(Key))}]");
            return;
        }

        foreach ((XElement ea, XElement aa) in e.Zip(a))
        {
            string at = $"{path}/{Key(ea)}";
            string vr = ea.Attribute("vr")!.Value;
            foreach (string name in new[] { "vr", "keyword", "privateCreator" })
            {
                if (ea.Attribute(name)?.Value != aa.Attribute(name)?.Value)
                {
                    differences.Add($"{at}: {name} {ea.Attribute(name)?.Value} against {aa.Attribute(name)?.Value}");
                }
            }

            List<XElement> eItems = [.. ea.Elements("Item")];
            List<XElement> aItems = [.. aa.Elements("Item")];
            if (eItems.Count != aItems.Count)
            {
                differences.Add($"{at}: {eItems.Count} items against {aItems.Count}");
                continue;
            }

            for (int i = 0; i < eItems.Count; i++)
            {
                Compare(eItems[i], aItems[i], $"{at}/{i}", differences);
            }

            string[] ev = [.. ea.Elements("Value").Select(v => $"{v.Attribute("number")!.Value}:{v.Value}")];
            string[] av = [.. aa.Elements("Value").Select(v => $"{v.Attribute("number")!.Value}:{v.Value}")];
            if (!(NumericVRs.Contains(vr) ? ev.Zip(av).All(p => SameNumber(p.First, p.Second, vr)) && ev.Length == av.Length : ev.SequenceEqual(av)))
            {
                differences.Add($"{at}: values [{string.Join('|', ev)}] against [{string.Join('|', av)}]");
            }

            string[] en = [.. ea.Elements("PersonName").Select(DropRepeatedPhonetic).Select(PersonName)];
            string[] an = [.. aa.Elements("PersonName").Select(PersonName)];
            if (!en.SequenceEqual(an))
            {
                differences.Add($"{at}: person names [{string.Join('|', en)}] against [{string.Join('|', an)}]");
            }

            byte[]? eb = ea.Element("InlineBinary") is { } x ? Convert.FromBase64String(x.Value) : null;
            byte[]? ab = aa.Element("InlineBinary") is { } y ? Convert.FromBase64String(y.Value) : null;
            if (eb is not null && WordVRs.TryGetValue(vr, out int unit))
            {
                Gateway.Dicom.IO.DicomByteOrder.Swap(eb, unit);
            }

            if ((eb is null) != (ab is null) || (eb is not null && !eb.AsSpan().SequenceEqual(ab)))
            {
                differences.Add($"{at}: inline binary {(eb is null ? "-" : Convert.ToHexString(eb))} against {(ab is null ? "-" : Convert.ToHexString(ab))}");
            }
        }
    }

    // dcm2xml 3.6.7 writes the Ideographic group again as Phonetic when the value's Phonetic group is empty
    // ("Wang^XiaoDong=王^小东=" in charset-gb18030): such a Phonetic group is not in the data.
    private static XElement DropRepeatedPhonetic(XElement name)
    {
        var copy = new XElement(name);
        if (copy.Element("Phonetic") is { } phonetic && copy.Element("Ideographic") is { } ideographic &&
            string.Concat(phonetic.Elements().Select(e => e.ToString())) == string.Concat(ideographic.Elements().Select(e => e.ToString())))
        {
            phonetic.Remove();
        }

        return copy;
    }

    // "number/Group/Component=text ...", without the white space between elements.
    private static string PersonName(XElement name) =>
        name.Attribute("number")!.Value + ":" + string.Join(' ', name.Descendants().Where(d => !d.HasElements).Select(d => $"{d.Parent!.Name}/{d.Name}={d.Value}"));

    private static string Key(XElement attribute) => attribute.Attribute("tag")!.Value + (attribute.Attribute("privateCreator")?.Value is { } c ? $"[{c}]" : string.Empty);

    private static bool SameNumber(string expected, string actual, string vr)
    {
        static (string Number, string Text) Split(string s) => (s[..s.IndexOf(':', StringComparison.Ordinal)], s[(s.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        (string en, string et) = Split(expected);
        (string an, string at) = Split(actual);
        if (en != an || et == at)
        {
            return en == an;
        }

        // dcm2xml prints FL with 9 and FD with 17 significant digits, we the shortest text that round-trips.
        return vr == "FL"
            ? float.Parse(et, CultureInfo.InvariantCulture) == float.Parse(at, CultureInfo.InvariantCulture)
            : double.Parse(et, CultureInfo.InvariantCulture) == double.Parse(at, CultureInfo.InvariantCulture);
    }
}
