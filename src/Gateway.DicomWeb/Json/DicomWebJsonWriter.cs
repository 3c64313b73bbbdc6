using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.Json;
using Gateway.Dicom.Model;
using Gateway.Dicom.Text;

namespace Gateway.DicomWeb.Json;

/// <summary>
/// Writes data sets in the DICOM JSON Model (PS3.18 Annex F) for DICOMweb: as the codec's <see cref="DicomJsonWriter"/>
/// (which matches DCMTK's dcm2json), plus bulk data as "BulkDataURI" and output flushed as it is produced.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Values are written by <see cref="DicomJsonWriter.WriteValue"/>: PN objects, numbers for IS, DS and the binary VRs
/// (SV and UV beyond 2^53 as strings), AT as "GGGGEEEE", null for empty values in a list, no "Value" for an empty attribute.</item>
/// <item>OB, OD, OF, OL, OV, OW, UN and encapsulated pixel data longer than <see cref="DicomWebJsonWriterOptions.InlineBinaryThreshold"/>
/// become "BulkDataURI" when <see cref="DicomWebJsonWriterOptions.BulkDataUri"/> names one; otherwise "InlineBinary".</item>
/// <item>Nesting is walked on an explicit stack: no data set can overflow the call stack.</item>
/// </list>
/// </remarks>
public static partial class DicomWebJsonWriter
{
    /// <summary>JSON writer options for DICOM JSON: UTF-8 text unescaped except where JSON requires it, no indentation.</summary>
    public static JsonWriterOptions JsonOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        // Three JSON levels per sequence level (attribute object, Value array, item object) at the readers' depth limit.
        MaxDepth = 4 * 64,
    };

    /// <summary>Writes <paramref name="dataset"/> as one JSON object, without flushing.</summary>
    public static void Write(Utf8JsonWriter writer, DicomDataset dataset, DicomWebJsonWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        var walk = new DatasetWalk(writer, dataset, options ?? DicomWebJsonWriterOptions.Default);
        while (walk.Step())
        {
        }
    }

    /// <summary>
    /// Writes <paramref name="dataset"/> as one JSON object, flushing <paramref name="writer"/> to its output whenever
    /// <see cref="DicomWebJsonWriterOptions.FlushThreshold"/> bytes are pending (the last bytes stay pending for the caller).
    /// </summary>
    public static async ValueTask WriteAsync(Utf8JsonWriter writer, DicomDataset dataset, DicomWebJsonWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= DicomWebJsonWriterOptions.Default;
        var walk = new DatasetWalk(writer, dataset, options);
        while (walk.Step())
        {
            if (writer.BytesPending >= options.FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Serialises <paramref name="dataset"/> to a JSON string.</summary>
    public static string Serialize(DicomDataset dataset, DicomWebJsonWriterOptions? options = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            Write(writer, dataset, options);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>True for the VRs whose values are bulk data in the JSON model (F.2.6, F.2.7).</summary>
    internal static bool IsBulkVR(DicomVR vr) => vr.Kind is DicomVRKind.Bulk or DicomVRKind.Unknown;

    /// <summary>Writes "BulkDataURI" when the options give one for this value, and says whether it did.</summary>
    private static bool TryWriteBulkDataUri(Utf8JsonWriter writer, DicomWebJsonWriterOptions options, string path, DicomTag tag, DicomVR vr, long length)
    {
        if (options.BulkDataUri is null || (length >= 0 && length <= options.InlineBinaryThreshold))
        {
            return false;
        }

        string? uri = options.BulkDataUri(new DicomBulkDataReference(path, tag, vr, length));
        if (uri is null)
        {
            return false;
        }

        writer.WriteString("BulkDataURI", uri);
        return true;
    }

    private static void CheckInlineLength(DicomWebJsonWriterOptions options, string path, long length)
    {
        if (length > options.MaxInlineBinaryLength)
        {
            throw new DicomJsonException(
                DicomJsonError.ValueTooLong,
                -1,
                path,
                $"a bulk value of {length} bytes is over the inline limit of {options.MaxInlineBinaryLength} and no BulkDataURI was given for it");
        }
    }

    /// <summary>Writes one element's members after "vr": BulkDataURI, or its value through the codec's writer.</summary>
    private static void WriteElementValue(Utf8JsonWriter writer, DicomWebJsonWriterOptions options, string path, DicomElement element, DicomCharacterSet characterSet)
    {
        if (IsBulkVR(element.VR) && element.Length > 0)
        {
            if (TryWriteBulkDataUri(writer, options, path, element.Tag, element.VR, element.Length))
            {
                return;
            }

            CheckInlineLength(options, path, element.Length);
        }

        DicomJsonWriter.WriteValue(writer, element, characterSet);
    }

    private static void WriteFragments(Utf8JsonWriter writer, DicomWebJsonWriterOptions options, string path, DicomFragmentSequence fragments)
    {
        long length = 0;
        foreach (ReadOnlyMemory<byte> fragment in fragments.Items)
        {
            length += 8 + fragment.Length + (fragment.Length & 1);
        }

        if (TryWriteBulkDataUri(writer, options, path, fragments.Tag, fragments.VR, length + 8))
        {
            return;
        }

        CheckInlineLength(options, path, length + 8);
        writer.WriteBase64String("InlineBinary", DicomJsonWriter.EncodeFragments(fragments));
    }

    /// <summary>One attribute at a time through an in-memory data set, so the caller can flush between steps.</summary>
    private sealed class DatasetWalk
    {
        private readonly Utf8JsonWriter _writer;
        private readonly DicomWebJsonWriterOptions _options;
        private readonly DicomDatasetWalker _walker;
        private bool _closed;

        public DatasetWalk(Utf8JsonWriter writer, DicomDataset dataset, DicomWebJsonWriterOptions options)
        {
            _writer = writer;
            _options = options;
            _walker = new DicomDatasetWalker(dataset);
            writer.WriteStartObject();
        }

        /// <summary>Writes the next attribute, item boundary or closing brace; false when the data set is done.</summary>
        public bool Step()
        {
            if (!_walker.Next())
            {
                if (!_closed)
                {
                    _writer.WriteEndObject();
                    _closed = true;
                }

                return false;
            }

            DicomItem? entry = _walker.Item;
            switch (_walker.Event)
            {
                case DicomWalkEvent.ItemStart:
                    _writer.WriteStartObject();
                    break;
                case DicomWalkEvent.ItemEnd:
                    _writer.WriteEndObject();
                    break;
                case DicomWalkEvent.SequenceStart:
                    _writer.WritePropertyName(entry!.Tag.ToJsonKey());
                    _writer.WriteStartObject();
                    _writer.WriteString("vr", DicomVR.SQ.Code);
                    if (((DicomSequence)entry).Items.Count > 0)
                    {
                        _writer.WriteStartArray("Value");
                    }

                    break;
                case DicomWalkEvent.SequenceEnd:
                    if (((DicomSequence)entry!).Items.Count > 0)
                    {
                        _writer.WriteEndArray();
                    }

                    _writer.WriteEndObject();
                    break;
                default:
                    _writer.WritePropertyName(entry!.Tag.ToJsonKey());
                    _writer.WriteStartObject();
                    _writer.WriteString("vr", entry.VR.Code);
                    if (entry is DicomFragmentSequence fragments)
                    {
                        WriteFragments(_writer, _options, _walker.Path, fragments);
                    }
                    else
                    {
                        WriteElementValue(_writer, _options, _walker.Path, (DicomElement)entry, _walker.Dataset.CharacterSet);
                    }

                    _writer.WriteEndObject();
                    break;
            }

            return true;
        }
    }
}
