using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>One synthetic instance (a square 16-bit image, 4x4 unless told) with the attributes the Q/R tests match on.</summary>
internal sealed record TestInstance
{
    public required string PatientId { get; init; }

    public required string PatientName { get; init; }

    public required string StudyUid { get; init; }

    public string StudyDate { get; init; } = "20240115";

    public string StudyTime { get; init; } = "101500";

    public string AccessionNumber { get; init; } = "ACC1";

    public string StudyDescription { get; init; } = "Synthetic study";

    public required string SeriesUid { get; init; }

    public string Modality { get; init; } = "CT";

    public int SeriesNumber { get; init; } = 1;

    public required string SopInstanceUid { get; init; }

    public int InstanceNumber { get; init; } = 1;

    public string SopClassUid { get; init; } = DicomUids.CTImageStorage.Value;

    /// <summary>Rows and columns of the image: 4 by default; larger images make P-DATA span many PDUs.</summary>
    public int Size { get; init; } = 4;

    /// <summary>Specific Character Set, or null for the default repertoire.</summary>
    public string? CharacterSet { get; init; }

    public DicomTransferSyntax TransferSyntax { get; init; } = DicomTransferSyntax.ExplicitVRLittleEndian;

    /// <summary>The data set, text encoded in <see cref="CharacterSet"/>.</summary>
    public DicomDataset ToDataset()
    {
        var ds = new DicomDataset();

        // Specific Character Set first: SetString encodes the later values with it.
        if (CharacterSet is not null)
        {
            ds.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, CharacterSet);
        }

        ds.SetString(DicomTags.SOPClassUID, DicomVR.UI, SopClassUid)
            .SetString(DicomTags.SOPInstanceUID, DicomVR.UI, SopInstanceUid)
            .SetString(DicomTags.StudyDate, DicomVR.DA, StudyDate)
            .SetString(DicomTags.StudyTime, DicomVR.TM, StudyTime)
            .SetString(DicomTags.AccessionNumber, DicomVR.SH, AccessionNumber)
            .SetString(DicomTags.Modality, DicomVR.CS, Modality)
            .SetString(DicomTags.StudyDescription, DicomVR.LO, StudyDescription)
            .SetString(DicomTags.PatientName, DicomVR.PN, PatientName)
            .SetString(DicomTags.PatientID, DicomVR.LO, PatientId)
            .SetString(DicomTags.PatientBirthDate, DicomVR.DA, "19700101")
            .SetString(DicomTags.PatientSex, DicomVR.CS, "O")
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, StudyUid)
            .SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, SeriesUid)
            .SetString(DicomTags.StudyID, DicomVR.SH, "1")
            .SetString(DicomTags.SeriesNumber, DicomVR.IS, SeriesNumber.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .SetString(DicomTags.InstanceNumber, DicomVR.IS, InstanceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .SetString(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2")
            .SetUInt16(DicomTags.SamplesPerPixel, 1)
            .SetUInt16(DicomTags.Rows, checked((ushort)Size))
            .SetUInt16(DicomTags.Columns, checked((ushort)Size))
            .SetUInt16(DicomTags.BitsAllocated, 16)
            .SetUInt16(DicomTags.BitsStored, 16)
            .SetUInt16(DicomTags.HighBit, 15)
            .SetUInt16(DicomTags.PixelRepresentation, 0);
        byte[] pixels = new byte[Size * Size * 2];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(InstanceNumber + i);
        }

        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
        return ds;
    }

    /// <summary>Writes the instance as a Part 10 file named after its SOP Instance UID and returns its path.</summary>
    public async Task<string> WriteAsync(string directory)
    {
        string path = Path.Combine(directory, SopInstanceUid + ".dcm");
        await using FileStream file = File.Create(path);
        await DicomFileWriter.WriteAsync(file, ToDataset(), TransferSyntax);
        return path;
    }
}
