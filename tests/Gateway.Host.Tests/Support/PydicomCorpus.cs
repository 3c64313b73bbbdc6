using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests.Support;

/// <summary>
/// The test files pydicom ships (Debian <c>python3-pydicom</c>), an independent corpus: CT, MR, RT plan, dose and
/// structure set, SR, ECG waveform, secondary capture in every compression, big endian, deflated, odd lengths,
/// private and UN sequences, and broken files.
/// </summary>
internal static class PydicomCorpus
{
    /// <summary>Where Debian's python3-pydicom puts them.</summary>
    public const string Directory = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    /// <summary>Fails with what to install when the corpus is missing (never a skip).</summary>
    public static void AssertInstalled() =>
        Assert.True(System.IO.Directory.Exists(Directory), $"{Directory} does not exist: install it with `apt-get install python3-pydicom` (./run-tests does)");

    /// <summary>
    /// Copies one file per SOP Instance UID (the corpus has the same MR image in several encodings) to
    /// <paramref name="destination"/> as UID.dcm, leaving out what is not a storable instance: DICOMDIRs, files whose
    /// data set lacks or contradicts the File Meta Information's UIDs or has no Study Instance UID, and files DCMTK itself
    /// cannot read (truncated ones). Returns the SOP Instance UIDs.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CopyStorableAsync(string destination)
    {
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetExtension(path) is not (".dcm" or "") || Path.GetFileName(path) == "README" || (await ExternalTool.RunAsync("dcmdump", "-q", path)).ExitCode != 0)
            {
                continue;
            }

            string? sopClass;
            string? sopInstance;
            try
            {
                DicomFileReader reader = await DicomFileReader.OpenAsync(path);
                await using (reader)
                {
                    sopClass = reader.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID);
                    sopInstance = reader.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID);
                    DicomDataset dataset = await reader.ReadDatasetAsync();

                    // storescu sends what its data set says; a file whose data set lacks or contradicts the UIDs is not sent.
                    if (dataset.GetString(DicomTags.SOPClassUID) != sopClass || dataset.GetString(DicomTags.SOPInstanceUID) != sopInstance ||
                        string.IsNullOrEmpty(dataset.GetString(DicomTags.StudyInstanceUID)))
                    {
                        continue;
                    }
                }
            }
            catch (DicomFormatException)
            {
                continue;
            }

            if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(sopInstance) || sopClass == "1.2.840.10008.1.3.10" || chosen.ContainsKey(sopInstance))
            {
                continue;
            }

            chosen[sopInstance] = path;
            File.Copy(path, Path.Combine(destination, sopInstance + ".dcm"));
        }

        return [.. chosen.Keys];
    }

    /// <summary>
    /// Asserts that the PACS holds <paramref name="uid"/> with the data set of <paramref name="sent"/>, compared as data
    /// sets (DICOM JSON as the codec reads them), not bytes: Orthanc (DCMTK) rewrites what it stores, for example an
    /// encapsulated Pixel Data headed OW (693_J2KI.dcm) as the OB it must be, and drops Data Set Trailing Padding
    /// (PS3.10 7.2: no meaning); the gateway relays the bytes it was sent.
    /// </summary>
    public static async Task AssertSameDataSetAtPacsAsync(OrthancServer pacs, string sent, string uid, string scratch)
    {
        string atPacs = Path.Combine(scratch, uid + ".pacs.dcm");
        await File.WriteAllBytesAsync(atPacs, await pacs.InstanceFileAsync(uid));
        Assert.True(await DataSetJsonAsync(sent) == await DataSetJsonAsync(atPacs), uid + " differs at the PACS");
    }

    private static async Task<string> DataSetJsonAsync(string path)
    {
        DicomFileReader reader = await DicomFileReader.OpenAsync(path);
        await using (reader)
        {
            DicomDataset dataset = await reader.ReadDatasetAsync();
            dataset.Remove(DicomTags.DataSetTrailingPadding);
            return Gateway.Dicom.Json.DicomJsonWriter.Serialize(dataset);
        }
    }
}
