using System.Diagnostics.CodeAnalysis;
using Gateway.Dicom;
using Gateway.Dicom.Dictionary;
using Gateway.Dicom.Model;

namespace Gateway.DicomWeb.Qido;

/// <summary>
/// A QIDO-RS request made from a C-FIND identifier, for the bridge that answers DIMSE queries from a DICOMweb origin:
/// the resource (from the Query/Retrieve Level and the unique keys above it) and the query parameters.
/// </summary>
/// <param name="Resource">The resource searched.</param>
/// <param name="Parameters">The query parameters, not yet percent-encoded, in the identifier's order.</param>
public sealed record QidoRequest(QidoResource Resource, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    /// <summary>The path and query relative to the DICOMweb root: "studies?PatientID=PAT1&amp;includefield=StudyDate".</summary>
    /// <remarks>
    /// Only what would break the query is percent-encoded: space, '%', '&amp;', '#', '+', control and non-ASCII characters.
    /// '*', '?', ',' and the rest stay literal: wildcards and UID lists must reach the origin as written, and Orthanc
    /// 1.10's DICOMweb plugin does not decode percent escapes in QIDO-RS values.
    /// </remarks>
    public string RelativeUri
    {
        get
        {
            string path = Resource switch
            {
                { Level: QidoLevel.Study } => "studies",
                { Level: QidoLevel.Series, StudyInstanceUid: { } study } => $"studies/{study}/series",
                { Level: QidoLevel.Series } => "series",
                { Level: QidoLevel.Instance, StudyInstanceUid: { } study, SeriesInstanceUid: { } series } => $"studies/{study}/series/{series}/instances",
                { Level: QidoLevel.Instance, StudyInstanceUid: { } study } => $"studies/{study}/instances",
                _ => "instances",
            };
            return Parameters.Count == 0
                ? path
                : path + "?" + string.Join('&', Parameters.Select(p => $"{Escape(p.Key)}={Escape(p.Value)}"));
        }
    }

    /// <summary>
    /// Makes the request for a Study Root C-FIND identifier: matching keys become {attribute}={value} (UID lists with
    /// commas, sequence keys as dotted paths), empty return keys become includefield, and the Study and Series Instance
    /// UIDs of a lower level become the path.
    /// </summary>
    /// <returns>False with the reason (for a C-FIND failure status) when QIDO-RS cannot express the identifier.</returns>
    public static bool TryFromIdentifier(DicomDataset identifier, [NotNullWhen(true)] out QidoRequest? request, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        request = null;
        QidoLevel? level = identifier.GetString(DicomTags.QueryRetrieveLevel) switch
        {
            "STUDY" => QidoLevel.Study,
            "SERIES" => QidoLevel.Series,
            "IMAGE" => QidoLevel.Instance,
            _ => null,
        };
        if (level is null)
        {
            error = "the Query/Retrieve Level is not STUDY, SERIES or IMAGE (QIDO-RS has no patient level)";
            return false;
        }

        string? study = level == QidoLevel.Study ? null : SingleUid(identifier, DicomTags.StudyInstanceUID);
        string? series = level == QidoLevel.Instance && study is not null ? SingleUid(identifier, DicomTags.SeriesInstanceUID) : null;
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (DicomItem item in identifier)
        {
            if (item.Tag == DicomTags.QueryRetrieveLevel || item.Tag == DicomTags.SpecificCharacterSet || item.Tag.IsGroupLength ||
                (item.Tag == DicomTags.StudyInstanceUID && study is not null) || (item.Tag == DicomTags.SeriesInstanceUID && series is not null))
            {
                continue;
            }

            if (!TryAdd(parameters, identifier, item, Name(item.Tag), out error))
            {
                return false;
            }
        }

        request = new QidoRequest(new QidoResource(level.Value, study, series), parameters);
        error = null;
        return true;
    }

    private static bool TryAdd(List<KeyValuePair<string, string>> parameters, DicomDataset dataset, DicomItem item, string name, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (item)
        {
            case DicomSequence sequence when sequence.Items.Count == 0 || sequence.Items[0].Count == 0:
                parameters.Add(new("includefield", name));
                return true;
            case DicomSequence sequence when sequence.Items.Count == 1:
                foreach (DicomItem inner in sequence.Items[0])
                {
                    if (inner is DicomSequence)
                    {
                        error = $"{name}: sequences nested in a sequence key cannot be expressed in QIDO-RS";
                        return false;
                    }

                    if (!TryAdd(parameters, sequence.Items[0], inner, $"{name}.{Name(inner.Tag)}", out error))
                    {
                        return false;
                    }
                }

                return true;
            case DicomSequence:
                error = $"{name}: a sequence key has one item";
                return false;
            case DicomElement element when element.Length == 0:
                parameters.Add(new("includefield", name));
                return true;
            case DicomElement element:
                string[] values = element.VR == DicomVR.AT
                    ? [.. Enumerable.Range(0, DicomValue.CountBinary(DicomVR.AT, element.Length)).Select(i => DicomValue.GetTag(element.Value.Span, i).ToJsonKey())]
                    : [.. dataset.GetStrings(element.Tag)];
                if (values.Length > 1 && element.VR != DicomVR.UI)
                {
                    error = $"{name}: several values match only for UIDs in QIDO-RS";
                    return false;
                }

                parameters.Add(new(name, string.Join(',', values)));
                return true;
            default:
                error = $"{name}: not a matching or return key";
                return false;
        }
    }

    private static string Escape(string text)
    {
        var escaped = new System.Text.StringBuilder(text.Length);
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            if (b <= 0x20 || b >= 0x7F || b is (byte)'%' or (byte)'&' or (byte)'#' or (byte)'+')
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append((char)b);
            }
        }

        return escaped.ToString();
    }

    /// <summary>The keyword of a standard attribute, else its eight hex digits.</summary>
    private static string Name(DicomTag tag) =>
        !tag.IsPrivate && DicomDictionary.Standard.FindKeyword(tag) is { } keyword && keyword.All(char.IsAsciiLetterOrDigit) ? keyword : tag.ToJsonKey();

    private static string? SingleUid(DicomDataset identifier, DicomTag tag)
    {
        IReadOnlyList<string> values = identifier.GetStrings(tag);
        return values.Count == 1 && new DicomUid(values[0]).IsValid ? values[0] : null;
    }
}
