using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>Part 10 files for store tests: a few header elements and a block of pseudo-random pixel data.</summary>
internal static class TestFiles
{
    public static async Task<string> CreateAsync(string path, string sopClass, string sopInstance, int pixelBytes, DicomTransferSyntax? syntax = null)
    {
        byte[] pixels = new byte[pixelBytes & ~1];
        new Random(pixelBytes ^ sopInstance.GetHashCode(StringComparison.Ordinal)).NextBytes(pixels);
        var dataset = new DicomDataset()
            .SetString(DicomTags.SOPClassUID, DicomVR.UI, sopClass)
            .SetString(DicomTags.SOPInstanceUID, DicomVR.UI, sopInstance)
            .SetString(DicomTags.PatientID, DicomVR.LO, "TEST-1")
            .SetString(DicomTags.Modality, DicomVR.CS, "OT");
        dataset.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        await DicomFileWriter.WriteAsync(file, dataset, syntax ?? DicomTransferSyntax.ExplicitVRLittleEndian);
        return path;
    }

    /// <summary>The bytes after the File Meta Information: the data set exactly as encoded.</summary>
    public static async Task<byte[]> DatasetBytesAsync(string path)
    {
        long offset;
        await using (DicomFileReader reader = await DicomFileReader.OpenAsync(path))
        {
            offset = reader.DatasetOffset;
        }

        byte[] all = await File.ReadAllBytesAsync(path);
        return all[(int)offset..];
    }

    /// <summary>The transfer syntax in a file's meta information.</summary>
    public static async Task<DicomTransferSyntax> SyntaxAsync(string path)
    {
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        return reader.TransferSyntax;
    }
}
