using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;

namespace Gateway.DicomWeb.Qido;

/// <summary>
/// Writes C-FIND matches as a QIDO-RS response (application/dicom+json, PS3.18 10.6.3): a JSON array of data sets, with the
/// query's offset and limit applied, as the matches arrive.
/// </summary>
/// <remarks>
/// Each match loses its Query/Retrieve Level, keeps only the attributes the identifier asked for (all of them for
/// includefield=all) and gains Retrieve URL (0008,1190) when a factory gives one. Enumeration stops at the first match
/// past the limit; disposing the enumerator is what lets the DIMSE bridge send C-CANCEL.
/// </remarks>
public static class QidoResponseWriter
{
    /// <summary>The text of the Warning header when more results are available (PS3.18 8.3.4.4).</summary>
    public const string MoreResultsWarningText = "There are additional results that can be requested";

    /// <summary>Writes the response array.</summary>
    /// <param name="writer">The JSON writer; flushed as the array grows.</param>
    /// <param name="matches">The C-FIND matches (the identifiers of the pending responses), in order.</param>
    /// <param name="query">The query (level, offset, limit, requested attributes).</param>
    /// <param name="retrieveUrl">Gives the Retrieve URL of a match (study, series or instance), or null; may be null itself.</param>
    /// <param name="cancellationToken">Cancels the enumeration and the writes.</param>
    public static async ValueTask<QidoResponseSummary> WriteAsync(
        Utf8JsonWriter writer,
        IAsyncEnumerable<DicomDataset> matches,
        QidoQuery query,
        Func<DicomDataset, string?>? retrieveUrl = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlySet<DicomTag>? keep = query.IncludeAllFields ? null : query.ResponseAttributes;
        int seen = 0;
        int written = 0;
        bool more = query.LimitLowered;
        writer.WriteStartArray();
        await foreach (DicomDataset match in matches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (seen++ < query.Offset)
            {
                continue;
            }

            if (written == query.Limit)
            {
                more = true;
                break;
            }

            await DicomWebJsonWriter.WriteAsync(writer, Shape(match, keep, retrieveUrl), DicomWebJsonWriterOptions.Default, cancellationToken).ConfigureAwait(false);
            written++;
        }

        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new QidoResponseSummary(written, more);
    }

    /// <summary>One match as the response carries it.</summary>
    public static DicomDataset Shape(DicomDataset match, IReadOnlySet<DicomTag>? keep, Func<DicomDataset, string?>? retrieveUrl)
    {
        ArgumentNullException.ThrowIfNull(match);
        var shaped = new DicomDataset();
        foreach (DicomItem item in match)
        {
            if (item.Tag == DicomTags.QueryRetrieveLevel || (keep is not null && item.Tag != DicomTags.SpecificCharacterSet && !keep.Contains(item.Tag)))
            {
                continue;
            }

            shaped.Set(item);
        }

        if (retrieveUrl?.Invoke(match) is { } url)
        {
            shaped.SetString(DicomTags.RetrieveURL, DicomVR.UR, url);
        }

        return shaped;
    }
}
