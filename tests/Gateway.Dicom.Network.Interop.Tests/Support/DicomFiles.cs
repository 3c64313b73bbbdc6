using Gateway.Dicom.IO;

namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>Reads what the retrieve tests compare: a file's SOP Instance UID, transfer syntax and data set bytes.</summary>
internal static class DicomFiles
{
    /// <summary>The data set part of a Part 10 file (everything after the File Meta Information) and its transfer syntax.</summary>
    public static async Task<(string SopInstanceUid, DicomTransferSyntax Syntax, byte[] DataSet)> ReadAsync(string path)
    {
        string sopInstance;
        DicomTransferSyntax syntax;
        long offset;
        DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        await using (reader)
        {
            sopInstance = reader.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID) ?? string.Empty;
            syntax = reader.TransferSyntax;
            offset = reader.DatasetOffset;
        }

        byte[] bytes = await File.ReadAllBytesAsync(path);
        return (sopInstance, syntax, bytes[(int)offset..]);
    }

    /// <summary>Maps SOP Instance UID to data set bytes for every file in a directory.</summary>
    public static async Task<Dictionary<string, byte[]>> ReadDirectoryAsync(string directory)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            (string uid, _, byte[] dataSet) = await ReadAsync(path);
            result[uid] = dataSet;
        }

        return result;
    }
}
