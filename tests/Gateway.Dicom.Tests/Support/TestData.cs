using System.Buffers.Binary;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Tests.Support;

/// <summary>Sample data sets, and helpers to write and read them whole.</summary>
internal static class TestData
{
    public const string SopInstanceUid = "1.2.826.0.1.3680043.2.1125.1.1";

    /// <summary>The four uncompressed transfer syntaxes.</summary>
    public static readonly IReadOnlyList<DicomTransferSyntax> Uncompressed =
    [
        DicomTransferSyntax.ImplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVRLittleEndian,
        DicomTransferSyntax.ExplicitVRBigEndian,
        DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
    ];

    public static string CorpusDirectory(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", name);

    /// <summary>
    /// A CT-like data set whose every attribute has a single dictionary VR (so it survives implicit VR): text in
    /// ISO_IR 100, each binary VR, nested sequences, a known private attribute, signed pixel values and native OW pixel data.
    /// </summary>
    public static DicomDataset RichDataset()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        ds.SetString(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage.Value);
        ds.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, SopInstanceUid);
        ds.SetString(DicomTags.StudyDate, DicomVR.DA, "20240131");
        ds.SetString(DicomTags.Modality, DicomVR.CS, "CT");
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "Müller^Jürgen");
        ds.SetString(DicomTags.PatientID, DicomVR.LO, "PAT-0001");

        var code = new DicomDataset();
        code.SetString(DicomTags.CodeValue, DicomVR.SH, "113076");
        code.SetString(DicomTags.CodingSchemeDesignator, DicomVR.SH, "DCM");
        code.SetString(DicomTags.CodeMeaning, DicomVR.LO, "Segmentation");
        var first = new DicomDataset();
        first.SetString(DicomTags.ReferencedSOPClassUID, DicomVR.UI, DicomUids.CTImageStorage.Value);
        first.SetString(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3.4.5.6");
        var second = new DicomDataset();
        second.SetString(DicomTags.ReferencedSOPClassUID, DicomVR.UI, DicomUids.CTImageStorage.Value);
        second.SetString(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, "1.2.3.4.5.7");
        second.Set(new DicomSequence(DicomTags.DerivationCodeSequence, [code]));
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, [first, second, new DicomDataset()]));
        ds.Set(new DicomSequence(DicomTags.ReferencedStudySequence, []));

        ds.Set(new DicomElement(DicomTags.ReferencePixelX0, DicomVR.SL, Int32s(-2, 70000)));
        ds.Set(new DicomElement(DicomTags.ReferencePixelPhysicalValueX, DicomVR.FD, Doubles(-0.5, 1e300)));
        ds.Set(new DicomElement(DicomTags.ContrastBolusT1Relaxivity, DicomVR.FL, Singles(3.25f)));
        ds.Set(new DicomElement(DicomTags.FrameIncrementPointer, DicomVR.AT, new byte[] { 0x18, 0x00, 0x63, 0x10 }));
        ds.SetUInt16(DicomTags.Rows, 2);
        ds.SetUInt16(DicomTags.Columns, 2);
        ds.SetUInt16(DicomTags.BitsAllocated, 16);
        ds.SetUInt16(DicomTags.PixelRepresentation, 1);
        ds.Set(new DicomElement(DicomTags.SmallestImagePixelValue, DicomVR.SS, new byte[] { 0xFB, 0xFF }));
        ds.SetString(new DicomTag(0x0029, 0x0010), DicomVR.LO, "SIEMENS CSA HEADER");
        ds.SetString(new DicomTag(0x0029, 0x1008), DicomVR.CS, "IMAGE NUM 4");
        ds.Set(new DicomElement(new DicomTag(0x0029, 0x1010), DicomVR.OB, new byte[] { 0x53, 0x56, 0x31, 0x30, 0x04, 0x03, 0x02, 0x01 }));
        ds.SetString(DicomTags.TextValue, DicomVR.UT, "free text\\with backslash");
        ds.Set(new DicomElement(DicomTags.VectorGridData, DicomVR.OF, Singles(1f, -2f)));
        ds.Set(new DicomElement(DicomTags.DoublePointCoordinatesData, DicomVR.OD, Doubles(Math.PI)));
        ds.Set(new DicomElement(DicomTags.LongPrimitivePointIndexList, DicomVR.OL, Int32s(1, 2, 3, 4)));
        ds.Set(new DicomElement(DicomTags.SelectorSVValue, DicomVR.SV, Int64s(-9_000_000_000_000_000_000)));
        ds.Set(new DicomElement(DicomTags.SelectorUVValue, DicomVR.UV, Int64s(0x0102030405060708)));
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, new byte[] { 0x01, 0x00, 0xFF, 0xFF, 0x34, 0x12, 0x00, 0x80 }));
        return ds;
    }

    /// <summary>An image with encapsulated pixel data: an empty Basic Offset Table and two even-length fragments.</summary>
    public static DicomDataset EncapsulatedDataset()
    {
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SOPClassUID, DicomVR.UI, DicomUids.CTImageStorage.Value);
        ds.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.3.4.5.99");
        ds.SetUInt16(DicomTags.Rows, 16);
        ds.SetUInt16(DicomTags.Columns, 16);
        ds.SetUInt16(DicomTags.BitsAllocated, 8);
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [
            ReadOnlyMemory<byte>.Empty,
            new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46 },
            new byte[] { 0x00, 0x01, 0x02, 0x03, 0xFF, 0xD9 },
        ]));
        return ds;
    }

    public static async Task<byte[]> WriteFileAsync(DicomDataset dataset, DicomTransferSyntax syntax)
    {
        using var stream = new MemoryStream();
        await DicomFileWriter.WriteAsync(stream, dataset, syntax);
        return stream.ToArray();
    }

    /// <summary>Writes a bare data set (no preamble, no File Meta Information) in <paramref name="encoding"/>.</summary>
    public static async Task<byte[]> WriteDatasetAsync(DicomDataset dataset, DicomEncoding encoding)
    {
        using var stream = new MemoryStream();
        await using (var writer = new DicomStreamWriter(stream, encoding))
        {
            await DicomDatasetWriter.WriteAsync(writer, dataset);
        }

        return stream.ToArray();
    }

    /// <summary>Opens <paramref name="bytes"/> as a file and reads the whole data set.</summary>
    public static async Task<FileContent> ReadFileAsync(byte[] bytes, DicomReaderOptions? options = null, bool seekable = true)
    {
        Stream stream = seekable ? new MemoryStream(bytes, writable: false) : new NonSeekableStream(bytes, 997);
        await using DicomFileReader file = await DicomFileReader.OpenAsync(stream, options);
        DicomDataset dataset = await file.ReadDatasetAsync();
        return new FileContent(file.TransferSyntax, file.FileMetaInformation, dataset, file.DatasetOffset, file.HasPreamble);
    }

    /// <summary>Reads a bare data set in a known encoding.</summary>
    public static async Task<DicomDataset> ReadDatasetAsync(byte[] bytes, DicomEncoding encoding, DicomReaderOptions? options = null, bool seekable = true)
    {
        Stream stream = seekable ? new MemoryStream(bytes, writable: false) : new NonSeekableStream(bytes, 997);
        await using var reader = new DicomStreamReader(stream, encoding, options);
        return await DicomDatasetReader.ReadAsync(reader);
    }

    /// <summary>Transcodes a whole file in memory.</summary>
    public static async Task<byte[]> TranscodeAsync(byte[] bytes, DicomTransferSyntax target, DicomReaderOptions? options = null)
    {
        await using DicomFileReader file = await DicomFileReader.OpenAsync(new MemoryStream(bytes, writable: false), options);
        using var output = new MemoryStream();
        await DicomTranscoder.TranscodeAsync(file, output, target);
        return output.ToArray();
    }

    /// <summary>Asserts that two data sets hold the same entries: tags, VRs, value bytes, items and fragments.</summary>
    public static void AssertEquivalent(DicomDataset expected, DicomDataset actual, string path = "")
    {
        Assert.Equal(expected.Select(i => i.Tag), actual.Select(i => i.Tag));
        foreach (DicomItem e in expected)
        {
            DicomItem a = actual[e.Tag]!;
            string where = $"{path}{e.Tag}";
            Assert.True(e.VR == a.VR, $"{where}: VR {a.VR}, expected {e.VR}");
            switch (e)
            {
                case DicomElement ee:
                    Assert.True(
                        ee.Value.Span.SequenceEqual(((DicomElement)a).Value.Span),
                        $"{where}: value {Convert.ToHexString(((DicomElement)a).Value.Span)}, expected {Convert.ToHexString(ee.Value.Span)}");
                    break;
                case DicomSequence es:
                    var sa = (DicomSequence)a;
                    Assert.True(es.Items.Count == sa.Items.Count, $"{where}: {sa.Items.Count} items, expected {es.Items.Count}");
                    for (int i = 0; i < es.Items.Count; i++)
                    {
                        AssertEquivalent(es.Items[i], sa.Items[i], $"{where}[{i}].");
                    }

                    break;
                case DicomFragmentSequence ef:
                    var fa = (DicomFragmentSequence)a;
                    Assert.Equal(ef.Items.Select(f => Convert.ToHexString(f.Span)), fa.Items.Select(f => Convert.ToHexString(f.Span)));
                    break;
            }
        }
    }

    /// <summary>True when two entries are equivalent (tag, VR, value bytes, items, fragments).</summary>
    public static bool Same(DicomItem expected, DicomItem actual)
    {
        if (expected.Tag != actual.Tag || expected.VR != actual.VR)
        {
            return false;
        }

        return (expected, actual) switch
        {
            (DicomElement e, DicomElement a) => e.Value.Span.SequenceEqual(a.Value.Span),
            (DicomSequence e, DicomSequence a) => e.Items.Count == a.Items.Count && e.Items.Zip(a.Items).All(p => Same(p.First, p.Second)),
            (DicomFragmentSequence e, DicomFragmentSequence a) =>
                e.Items.Count == a.Items.Count && e.Items.Zip(a.Items).All(p => p.First.Span.SequenceEqual(p.Second.Span)),
            _ => false,
        };
    }

    /// <summary>True when two data sets hold equivalent entries.</summary>
    public static bool Same(DicomDataset expected, DicomDataset actual) =>
        expected.Count == actual.Count && expected.Zip(actual).All(p => Same(p.First, p.Second));

    /// <summary>True when <paramref name="prefix"/> holds exactly the first entries of <paramref name="full"/>.</summary>
    public static bool IsPrefix(DicomDataset full, DicomDataset prefix) =>
        prefix.Count <= full.Count && full.Zip(prefix).All(p => Same(p.First, p.Second));

    public static byte[] Int32s(params int[] values)
    {
        byte[] b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(i * 4), values[i]);
        }

        return b;
    }

    public static byte[] Int64s(params long[] values)
    {
        byte[] b = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(i * 8), values[i]);
        }

        return b;
    }

    public static byte[] Doubles(params double[] values)
    {
        byte[] b = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), values[i]);
        }

        return b;
    }

    public static byte[] Singles(params float[] values)
    {
        byte[] b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), values[i]);
        }

        return b;
    }
}
