using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;

namespace Gateway.DicomWeb.Stow;

/// <summary>The response of a STOW-RS request (PS3.18 10.5.3): the HTTP status and the Store Instances Response data set.</summary>
/// <remarks>
/// The data set holds (0008,1190) Retrieve URL of the study when given; (0008,1199) Referenced SOP Sequence, one item per
/// stored instance with (0008,1150), (0008,1155), (0008,1190) and (0008,1196) Warning Reason when it has one; and
/// (0008,1198) Failed SOP Sequence, one item per instance not stored with (0008,1150), (0008,1155) and (0008,1197)
/// Failure Reason. An empty sequence is left out. UIDs a failed part did not reveal are empty values.
/// </remarks>
public sealed class StowResponse
{
    private readonly List<StowInstanceResult> _results = [];

    /// <summary>Creates an empty response.</summary>
    /// <param name="studyRetrieveUrl">The Retrieve URL of the study the request stored into (for POST .../studies/{uid}), or null.</param>
    public StowResponse(string? studyRetrieveUrl = null)
    {
        StudyRetrieveUrl = studyRetrieveUrl;
    }

    /// <summary>The Retrieve URL of the study, or null.</summary>
    public string? StudyRetrieveUrl { get; }

    /// <summary>The results, in the order of the parts.</summary>
    public IReadOnlyList<StowInstanceResult> Results => _results;

    /// <summary>The HTTP status for these results (<see cref="HttpStatus"/>).</summary>
    public int StatusCode => HttpStatus(_results);

    /// <summary>Adds the result of one part.</summary>
    public void Add(StowInstanceResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _results.Add(result);
    }

    /// <summary>
    /// The HTTP status of a STOW-RS response (PS3.18 10.5.3): 200 when every instance was stored without warning; 202 when
    /// some were stored and others failed or carry warnings; 409 when none was stored; 400 when the request held no instance.
    /// </summary>
    public static int HttpStatus(IReadOnlyCollection<StowInstanceResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            return 400;
        }

        int stored = results.Count(r => r.IsStored);
        if (stored == 0)
        {
            return 409;
        }

        return stored == results.Count && results.All(r => r.WarningReason is null) ? 200 : 202;
    }

    /// <summary>The Store Instances Response data set.</summary>
    public DicomDataset ToDataset()
    {
        var ds = new DicomDataset();
        if (StudyRetrieveUrl is not null)
        {
            ds.SetString(DicomTags.RetrieveURL, DicomVR.UR, StudyRetrieveUrl);
        }

        List<DicomDataset> failed = [];
        List<DicomDataset> referenced = [];
        foreach (StowInstanceResult result in _results)
        {
            var item = new DicomDataset(ds);
            item.SetString(DicomTags.ReferencedSOPClassUID, DicomVR.UI, result.SopClassUid ?? string.Empty);
            item.SetString(DicomTags.ReferencedSOPInstanceUID, DicomVR.UI, result.SopInstanceUid ?? string.Empty);
            if (result.FailureReason is { } failure)
            {
                item.SetUInt16(DicomTags.FailureReason, (ushort)failure);
                failed.Add(item);
                continue;
            }

            if (result.RetrieveUrl is not null)
            {
                item.SetString(DicomTags.RetrieveURL, DicomVR.UR, result.RetrieveUrl);
            }

            if (result.WarningReason is { } warning)
            {
                item.SetUInt16(DicomTags.WarningReason, (ushort)warning);
            }

            referenced.Add(item);
        }

        if (failed.Count > 0)
        {
            ds.Set(new DicomSequence(DicomTags.FailedSOPSequence, failed));
        }

        if (referenced.Count > 0)
        {
            ds.Set(new DicomSequence(DicomTags.ReferencedSOPSequence, referenced));
        }

        return ds;
    }

    /// <summary>Writes the response as DICOM JSON (application/dicom+json).</summary>
    public ValueTask WriteJsonAsync(Utf8JsonWriter writer, CancellationToken cancellationToken = default) =>
        DicomWebJsonWriter.WriteAsync(writer, ToDataset(), DicomWebJsonWriterOptions.Default, cancellationToken);

    /// <summary>The response as a DICOM JSON string.</summary>
    public string ToJson() => DicomWebJsonWriter.Serialize(ToDataset());

    /// <summary>Writes the response in the Native DICOM Model (application/dicom+xml, PS3.19).</summary>
    public ValueTask WriteXmlAsync(Stream output, CancellationToken cancellationToken = default) =>
        Xml.DicomXmlWriter.WriteAsync(output, ToDataset(), DicomWebJsonWriterOptions.Default, cancellationToken);
}
