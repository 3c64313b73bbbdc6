using Gateway.Dicom.IO;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>
/// Compares instances that travelled in another transfer syntax: DCMTK's <c>dcmconv +te</c> re-encodes a file as
/// explicit VR little endian, so that its data set bytes can be compared with the original's. Our own reader plays no
/// part in deciding equality.
/// </summary>
internal static class Normalized
{
    /// <summary>The data set bytes of <paramref name="path"/> after <c>dcmconv +te</c>.</summary>
    public static async Task<byte[]> ExplicitLittleEndianDataSetAsync(string path, string scratchDirectory)
    {
        string converted = Path.Combine(scratchDirectory, Path.GetFileName(path) + ".te.dcm");
        (await ExternalTool.RunAsync("dcmconv", "+te", path, converted)).EnsureSuccess();
        (_, DicomTransferSyntax syntax, byte[] dataSet) = await DicomFiles.ReadAsync(converted);
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian, syntax);
        return dataSet;
    }

    /// <summary>The single file in <paramref name="directory"/>.</summary>
    public static string SingleFile(string directory)
    {
        string[] files = Directory.GetFiles(directory);
        Assert.True(files.Length == 1, $"expected one file in {directory}, found {files.Length}: {string.Join(", ", files.Select(Path.GetFileName))}");
        return files[0];
    }
}
