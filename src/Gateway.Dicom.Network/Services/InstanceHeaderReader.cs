using Gateway.Dicom.Dictionary;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Network.Services;

/// <summary>
/// Reads what the Q/R index needs from a Part 10 file: the File Meta Information and the indexed top-level attributes,
/// token by token, stopping after the last indexed tag. Bulk values, sequences and pixel data are never held in memory.
/// </summary>
internal static class InstanceHeaderReader
{
    /// <summary>The longest value kept (PS3.5: LT and UT are the only indexed VRs that may be longer, and only LT is indexed).</summary>
    public const int MaxValueLength = 16 * 1024;

    // Limits for a header read: nothing the index keeps comes near them, a hostile file stops at them.
    private static readonly DicomReaderOptions Limits = new()
    {
        MaxDepth = 16,
        MaxValueLength = MaxValueLength,
        MaxTotalValueBytes = 1024 * 1024,
        MaxElements = 1_000_000,
    };

    /// <summary>Reads the header of the file at <paramref name="path"/>.</summary>
    /// <returns>The header, or null when the file lacks what an instance needs (meta information, the four UIDs).</returns>
    /// <exception cref="DicomFormatException">The file is not readable DICOM.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<IndexedInstanceHeader?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        DicomFileReader file = await DicomFileReader.OpenAsync(path, Limits, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            // The sub-operations send what the meta information says (as DicomStoreSender does): without it, no instance.
            string? sopClass = file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID);
            string? sopInstance = file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID);
            if (string.IsNullOrEmpty(sopClass) || string.IsNullOrEmpty(sopInstance))
            {
                return null;
            }

            DicomDataset attributes = await ReadAttributesAsync(file.Reader, cancellationToken).ConfigureAwait(false);
            if (!attributes.Contains(DicomTags.SOPInstanceUID))
            {
                attributes.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, sopInstance);
            }

            if (!attributes.Contains(DicomTags.SOPClassUID))
            {
                attributes.SetString(DicomTags.SOPClassUID, DicomVR.UI, sopClass);
            }

            if (string.IsNullOrEmpty(attributes.GetString(DicomTags.StudyInstanceUID)) || string.IsNullOrEmpty(attributes.GetString(DicomTags.SeriesInstanceUID)) ||
                string.IsNullOrEmpty(attributes.GetString(DicomTags.SOPInstanceUID)))
            {
                return null;
            }

            return new IndexedInstanceHeader(new IndexedInstanceFile(Path.GetFullPath(path), sopClass, sopInstance, file.TransferSyntax), attributes);
        }
    }

    private static async Task<DicomDataset> ReadAttributesAsync(DicomStreamReader reader, CancellationToken cancellationToken)
    {
        var attributes = new DicomDataset();
        DicomTag last = QueryRetrieveAttributes.LastIndexedTag;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.Depth != 0 || reader.TokenType is not (DicomTokenType.Element or DicomTokenType.SequenceStart or DicomTokenType.FragmentsStart))
            {
                // Inside a sequence: its values are skipped by the next read.
                continue;
            }

            if (reader.Tag > last)
            {
                // Top-level elements ascend (PS3.5 7.1): nothing after this one is indexed, pixel data included.
                break;
            }

            if (reader.TokenType != DicomTokenType.Element || !QueryRetrieveAttributes.IndexedTags.Contains(reader.Tag) || reader.Length > MaxValueLength)
            {
                continue;
            }

            DicomTag tag = reader.Tag;
            DicomVR vr = reader.VR;
            byte[] value = await reader.ReadValueAsync(cancellationToken).ConfigureAwait(false);
            if (reader.Encoding.IsBigEndian)
            {
                DicomByteOrder.Swap(value, vr.SwapUnit);
            }

            if (vr == DicomVR.UN && DicomDictionary.Standard.Find(tag) is { ValueRepresentations: [var known, ..] } && known.Kind == DicomVRKind.Text)
            {
                // An explicit-VR file that wrote a text attribute as UN: its bytes are the text (PS3.5 6.2.2).
                vr = known;
            }

            attributes.TryAdd(new DicomElement(tag, vr, value));
        }

        return attributes;
    }
}
