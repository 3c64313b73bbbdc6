using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Benchmarks;

/// <summary>
/// A synthetic 512x512x16-bit CT Image Storage instance in explicit VR little endian (about 0.5 MB), built in memory
/// with the codec's own writer. Same attributes as the peers' generator (DCMTK dump2dcm); deterministic pixels.
/// </summary>
public static class CtImage
{
    /// <summary>Rows and columns.</summary>
    public const int Size = 512;

    /// <summary>Bytes of the pixel data value.</summary>
    public const int PixelBytes = Size * Size * 2;

    private static readonly Lazy<byte[]> LazyFile = new(() => Build(DicomTransferSyntax.ExplicitVRLittleEndian));

    /// <summary>The Part 10 file (explicit VR little endian).</summary>
    public static byte[] File => LazyFile.Value;

    /// <summary>Builds the data set: about 50 header attributes and the pixel data.</summary>
    public static DicomDataset BuildDataset()
    {
        const string root = "2.25.242397305106713341129336807588797996706.99";
        var ds = new DicomDataset();
        ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        ds.SetString(DicomTags.ImageType, DicomVR.CS, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.SetString(DicomTags.InstanceCreationDate, DicomVR.DA, "20250101");
        ds.SetString(DicomTags.InstanceCreationTime, DicomVR.TM, "120000");
        ds.SetString(DicomTags.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
        ds.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, root + ".3.1");
        ds.SetString(DicomTags.StudyDate, DicomVR.DA, "20250101");
        ds.SetString(DicomTags.SeriesDate, DicomVR.DA, "20250101");
        ds.SetString(DicomTags.ContentDate, DicomVR.DA, "20250101");
        ds.SetString(DicomTags.StudyTime, DicomVR.TM, "120000");
        ds.SetString(DicomTags.SeriesTime, DicomVR.TM, "120000");
        ds.SetString(DicomTags.ContentTime, DicomVR.TM, "120000");
        ds.SetString(DicomTags.AccessionNumber, DicomVR.SH, "A00000001");
        ds.SetString(DicomTags.Modality, DicomVR.CS, "CT");
        ds.SetString(DicomTags.Manufacturer, DicomVR.LO, "SYNTHETIC");
        ds.SetString(DicomTags.ReferringPhysicianName, DicomVR.PN, "REFERRING^DOCTOR");
        ds.SetString(DicomTags.StudyDescription, DicomVR.LO, "Synthetic CT study 1");
        ds.SetString(DicomTags.SeriesDescription, DicomVR.LO, "Synthetic CT series 1");
        ds.SetString(DicomTags.PatientName, DicomVR.PN, "SYNTH^P00001");
        ds.SetString(DicomTags.PatientID, DicomVR.LO, "P00001");
        ds.SetString(DicomTags.PatientBirthDate, DicomVR.DA, "19700101");
        ds.SetString(DicomTags.PatientSex, DicomVR.CS, "O");
        ds.SetString(DicomTags.BodyPartExamined, DicomVR.CS, "CHEST");
        ds.SetString(DicomTags.SliceThickness, DicomVR.DS, "5");
        ds.SetString(DicomTags.KVP, DicomVR.DS, "120");
        ds.SetString(DicomTags.PatientPosition, DicomVR.CS, "HFS");
        ds.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, root + ".1.1");
        ds.SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, root + ".2.1");
        ds.SetString(DicomTags.StudyID, DicomVR.SH, "1");
        ds.SetString(DicomTags.SeriesNumber, DicomVR.IS, "1");
        ds.SetString(DicomTags.AcquisitionNumber, DicomVR.IS, "1");
        ds.SetString(DicomTags.InstanceNumber, DicomVR.IS, "1");
        ds.SetString(DicomTags.PatientOrientation, DicomVR.CS, "L", "P");
        ds.SetString(DicomTags.ImagePositionPatient, DicomVR.DS, "-128", "-128", "5");
        ds.SetString(DicomTags.ImageOrientationPatient, DicomVR.DS, "1", "0", "0", "0", "1", "0");
        ds.SetString(DicomTags.FrameOfReferenceUID, DicomVR.UI, root + ".4.1");
        ds.SetString(DicomTags.PositionReferenceIndicator, DicomVR.LO, string.Empty);
        ds.SetUInt16(DicomTags.SamplesPerPixel, 1);
        ds.SetString(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2");
        ds.SetUInt16(DicomTags.Rows, Size);
        ds.SetUInt16(DicomTags.Columns, Size);
        ds.SetString(DicomTags.PixelSpacing, DicomVR.DS, "0.5", "0.5");
        ds.SetUInt16(DicomTags.BitsAllocated, 16);
        ds.SetUInt16(DicomTags.BitsStored, 16);
        ds.SetUInt16(DicomTags.HighBit, 15);
        ds.SetUInt16(DicomTags.PixelRepresentation, 1);
        ds.SetString(DicomTags.WindowCenter, DicomVR.DS, "40");
        ds.SetString(DicomTags.WindowWidth, DicomVR.DS, "400");
        ds.SetString(DicomTags.RescaleIntercept, DicomVR.DS, "0");
        ds.SetString(DicomTags.RescaleSlope, DicomVR.DS, "1");

        byte[] pixels = new byte[PixelBytes];
        new Random(42).NextBytes(pixels);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
        return ds;
    }

    /// <summary>Encodes <see cref="BuildDataset"/> as a Part 10 file in <paramref name="syntax"/>.</summary>
    public static byte[] Build(DicomTransferSyntax syntax)
    {
        using var stream = new MemoryStream();
        DicomFileWriter.WriteAsync(stream, BuildDataset(), syntax).AsTask().GetAwaiter().GetResult();
        return stream.ToArray();
    }
}
