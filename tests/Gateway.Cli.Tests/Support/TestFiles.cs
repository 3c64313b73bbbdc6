using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Cli.Tests.Support;

/// <summary>Small DICOM files written with the codec's <see cref="DicomFileWriter"/> into a temporary directory, removed on dispose.</summary>
public sealed class TestFiles : IDisposable
{
    public TestFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("gatewayctl-tests-").FullName;
    }

    /// <summary>The temporary directory.</summary>
    public string Directory { get; }

    /// <summary>A path in <see cref="Directory"/> that does not exist yet.</summary>
    public string PathFor(string name) => Path.Combine(Directory, name);

    /// <summary>A 4x4 16-bit image with text, numbers, a nested sequence and non-ASCII text (ISO_IR 100), in explicit VR little endian.</summary>
    public static DicomDataset Image()
    {
        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        dataset.SetString(DicomTags.ImageType, DicomVR.CS, "ORIGINAL", "PRIMARY", "AXIAL");
        dataset.SetString(DicomTags.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
        dataset.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, "2.25.4242");
        dataset.SetString(DicomTags.Modality, DicomVR.CS, "CT");
        dataset.SetString(DicomTags.PatientName, DicomVR.PN, "Müller^Jürgen");
        dataset.SetString(DicomTags.PatientID, DicomVR.LO, "PID-1");
        dataset.SetString(DicomTags.ImagePositionPatient, DicomVR.DS, "-1.5", "2", "3.25");
        var code = new DicomDataset(dataset);
        code.SetString(DicomTags.CodeValue, DicomVR.SH, "24627-2");
        code.SetString(DicomTags.CodingSchemeDesignator, DicomVR.SH, "LN");
        var request = new DicomDataset(dataset);
        request.SetString(DicomTags.ScheduledProcedureStepDescription, DicomVR.LO, "CT CHEST");
        request.Set(new DicomSequence(DicomTags.ScheduledProtocolCodeSequence, [code]));
        dataset.Set(new DicomSequence(DicomTags.RequestAttributesSequence, [request]));
        dataset.SetUInt32(DicomTags.SelectorULValue, [.. Enumerable.Range(1, 12).Select(i => (uint)i)]);
        dataset.SetUInt16(DicomTags.SamplesPerPixel, 1);
        dataset.SetString(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2");
        dataset.SetUInt16(DicomTags.Rows, 4);
        dataset.SetUInt16(DicomTags.Columns, 4);
        dataset.SetUInt16(DicomTags.BitsAllocated, 16);
        dataset.SetUInt16(DicomTags.BitsStored, 12);
        dataset.SetUInt16(DicomTags.HighBit, 11);
        dataset.SetUInt16(DicomTags.PixelRepresentation, 0);
        byte[] pixels = new byte[4 * 4 * 2];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 7);
        }

        dataset.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
        return dataset;
    }

    /// <summary>The same image with JPEG Baseline "compressed" pixel data: an empty Basic Offset Table and one fragment.</summary>
    public static DicomDataset EncapsulatedImage()
    {
        DicomDataset dataset = Image();
        dataset.SetUInt16(DicomTags.BitsAllocated, 8);
        dataset.SetUInt16(DicomTags.BitsStored, 8);
        dataset.SetUInt16(DicomTags.HighBit, 7);
        dataset.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [ReadOnlyMemory<byte>.Empty, new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9 }]));
        return dataset;
    }

    /// <summary>Writes <paramref name="dataset"/> as a Part 10 file in <paramref name="syntax"/> and returns its path.</summary>
    public string Write(string name, DicomDataset dataset, DicomTransferSyntax syntax)
    {
        string path = PathFor(name);
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            DicomFileWriter.WriteAsync(stream, dataset, syntax).AsTask().GetAwaiter().GetResult();
        }

        return path;
    }

    /// <summary>Writes <paramref name="dataset"/> as a bare data set (no preamble, no File Meta Information) and returns its path.</summary>
    public string WriteBareDataset(string name, DicomDataset dataset, DicomEncoding encoding)
    {
        string path = PathFor(name);
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            var writer = new DicomStreamWriter(stream, encoding);
            DicomDatasetWriter.WriteAsync(writer, dataset).AsTask().GetAwaiter().GetResult();
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return path;
    }

    /// <summary>Writes raw bytes and returns the path.</summary>
    public string WriteBytes(string name, byte[] bytes)
    {
        string path = PathFor(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the directory is under the system temp directory.
        }
    }
}
