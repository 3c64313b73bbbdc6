using System.Runtime.CompilerServices;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Qido;

namespace Gateway.Host.Bridge;

/// <summary>
/// Answers a Patient Root or Study Root C-FIND from a DICOMweb origin: the identifier becomes a QIDO-RS request
/// (<see cref="QidoRequest"/>), the JSON array of matches is read as it streams, and each match goes back as a pending
/// response holding only the keys the identifier asked for (and the Specific Character Set of its text).
/// </summary>
/// <remarks>
/// QIDO-RS has no patient level: a PATIENT-level query is asked as a study query with the same keys, and the studies are
/// folded to one answer per Patient ID (and issuer). Keys QIDO-RS cannot express (nested sequence keys, several values
/// of a non-UID key) fail the query with Unable to Process and the reason, rather than matching more than was asked.
/// </remarks>
public sealed partial class QidoFind(DicomWebUpstreams origins, ILogger<QidoFind> logger)
{
    /// <summary>
    /// Limits on what the origin sends back, checked as bytes arrive: a query answers at most 10,000 matches in 64 MiB;
    /// match data sets are flat but may hold a few sequences.
    /// </summary>
    internal static readonly DicomJsonReaderOptions ResponseLimits = new()
    {
        MaxDepth = 8,
        MaxDocumentBytes = 64L * 1024 * 1024,
        MaxTokenBytes = 1024 * 1024,
        MaxElements = 4_000_000,
        MaxDatasets = 10_000,
    };

    /// <summary>The matches of <paramref name="request"/> at the DICOMweb upstream <paramref name="upstream"/>.</summary>
    /// <exception cref="DimseStatusException">The query cannot be expressed, or the origin failed or is unreachable (Unable to Process).</exception>
    public async IAsyncEnumerable<DicomDataset> FindAsync(QueryRequest request, string upstream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        DicomWebUpstreamClient origin = origins.Get(upstream);
        DicomDataset identifier = request.Identifier;
        bool patientLevel = identifier.GetString(DicomTags.QueryRetrieveLevel)?.Trim() == "PATIENT";
        DicomDataset asked = identifier;
        if (patientLevel)
        {
            asked = Copy(identifier);
            asked.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY");
        }

        if (!QidoRequest.TryFromIdentifier(asked, out QidoRequest? qido, out string? error))
        {
            throw new DimseStatusException(DimseStatus.UnableToProcess, "QIDO-RS cannot express this query: " + error);
        }

        var seenPatients = new HashSet<string>(StringComparer.Ordinal);
        await foreach (DicomDataset match in QueryAsync(origin, qido.RelativeUri, request.Association.Id, cancellationToken).ConfigureAwait(false))
        {
            if (patientLevel && !seenPatients.Add(match.GetString(DicomTags.PatientID) + "\\" + match.GetString(DicomTags.IssuerOfPatientID)))
            {
                continue;
            }

            yield return Select(match, identifier);
        }
    }

    /// <summary>
    /// The data sets a QIDO-RS request at <paramref name="origin"/> answers, streamed: 204 or an empty array is no match;
    /// another status, a malformed or oversized answer, a silence longer than the origin's timeout or an unreachable
    /// origin fail with Unable to Process.
    /// </summary>
    internal async IAsyncEnumerable<DicomDataset> QueryAsync(DicomWebUpstreamClient origin, string relativeUri, Guid associationId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(origin.Timeout);
        using HttpRequestMessage message = origin.CreateRequest(HttpMethod.Get, relativeUri, "application/dicom+json");
        HttpResponseMessage response;
        try
        {
            response = await origin.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, ex, origin.Name, associationId);
            throw new DimseStatusException(DimseStatus.UnableToProcess, "the DICOMweb upstream is unreachable");
        }

        using (response)
        {
            if (response.StatusCode == System.Net.HttpStatusCode.NoContent)
            {
                yield break;
            }

            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType is not ("application/dicom+json" or "application/json"))
            {
                LogRefused(logger, origin.Name, (int)response.StatusCode, associationId);
                throw new DimseStatusException(DimseStatus.UnableToProcess, $"the DICOMweb upstream answered the query with HTTP {(int)response.StatusCode}");
            }

            Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                IAsyncEnumerator<DicomDataset> matches = DicomJsonReader.ReadDatasetsAsync(body, ResponseLimits, null, timeout.Token).GetAsyncEnumerator(timeout.Token);
                await using (matches.ConfigureAwait(false))
                {
                    while (true)
                    {
                        try
                        {
                            if (!await matches.MoveNextAsync().ConfigureAwait(false))
                            {
                                break;
                            }
                        }
                        catch (Exception ex) when (ex is DicomJsonException or HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                        {
                            LogBadAnswer(logger, ex, origin.Name, associationId);
                            throw new DimseStatusException(DimseStatus.UnableToProcess, "the DICOMweb upstream's answer was cut short, too large or not DICOM JSON");
                        }

                        // The timeout bounds a silence, not a long answer.
                        timeout.CancelAfter(origin.Timeout);
                        yield return matches.Current;
                    }
                }
            }
        }
    }

    // PS3.4 C.4.1.1.3.2: a response holds the keys of the identifier, empty when the match has no value; the level is the
    // identifier's; the Specific Character Set is the match's (the JSON reader keeps text as UTF-8, ISO_IR 192 when not ASCII).
    internal static DicomDataset Select(DicomDataset match, DicomDataset identifier)
    {
        var answer = new DicomDataset();
        if (match[DicomTags.SpecificCharacterSet] is { } characterSet)
        {
            answer.Set(characterSet);
        }

        foreach (DicomItem key in identifier)
        {
            if (key.Tag == DicomTags.SpecificCharacterSet || key.Tag.IsGroupLength)
            {
                continue;
            }

            if (key.Tag == DicomTags.QueryRetrieveLevel)
            {
                answer.Set(key);
            }
            else if (match[key.Tag] is { } value)
            {
                answer.Set(value);
            }
            else
            {
                answer.Set(key is DicomSequence ? new DicomSequence(key.Tag, []) : new DicomElement(key.Tag, key.VR, ReadOnlyMemory<byte>.Empty));
            }
        }

        return answer;
    }

    private static DicomDataset Copy(DicomDataset source)
    {
        var copy = new DicomDataset();
        foreach (DicomItem item in source)
        {
            copy.Set(item);
        }

        return copy;
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning, Message = "DICOMweb upstream {Upstream} unreachable for a query on association {AssociationId}")]
    private static partial void LogUnreachable(ILogger logger, Exception exception, string upstream, Guid associationId);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "DICOMweb upstream {Upstream} answered a query with HTTP {Status} on association {AssociationId}")]
    private static partial void LogRefused(ILogger logger, string upstream, int status, Guid associationId);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "DICOMweb upstream {Upstream} sent an unusable query answer on association {AssociationId}")]
    private static partial void LogBadAnswer(ILogger logger, Exception exception, string upstream, Guid associationId);
}
