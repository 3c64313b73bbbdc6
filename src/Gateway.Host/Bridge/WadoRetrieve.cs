using System.Runtime.CompilerServices;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;
using Gateway.DicomWeb.Multipart;
using Gateway.DicomWeb.Qido;
using Gateway.Host.Dimse;

namespace Gateway.Host.Bridge;

/// <summary>
/// Serves a C-MOVE or C-GET from a DICOMweb origin: the instances the identifier names are found by QIDO-RS at the
/// instance level, then fetched by WADO-RS (a series at a time, or an instance at a time for an IMAGE-level retrieve)
/// as multipart/related application/dicom in the syntax the origin stores them in, and each part streams, as it
/// arrives, to the receiver as a C-STORE sub-operation. Counts are the gateway's: completed only when the receiver
/// accepted the instance; an instance the origin listed but did not send counts as failed.
/// </summary>
public sealed partial class WadoRetrieve(DicomWebUpstreams origins, QidoFind qido, Audit.GatewayAudit audit, ILogger<WadoRetrieve> logger)
{
    private const string Accept = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";

    /// <summary>Limits on a WADO-RS answer: parts are Part 10 files (no more than the origin listed, plus slack), each at most 4 GiB.</summary>
    private static MultipartReaderOptions PartLimits(int expected) => new()
    {
        MaxParts = expected + 16,
        MaxPartBytes = 4L * 1024 * 1024 * 1024,
        MaxBodyBytes = long.MaxValue,
        AcceptedPartTypes = ["application/dicom"],
    };

    /// <summary>Retrieves the instances of <paramref name="request"/> from <paramref name="upstream"/> through <paramref name="forward"/>; the last progress is the final one (remaining 0), after the audit record.</summary>
    /// <exception cref="DimseStatusException">The identifier names nothing to retrieve, or the instances cannot be listed (Unable to Process).</exception>
    internal async IAsyncEnumerable<RetrieveProgress> RetrieveAsync(QueryRequest request, string upstream, SubOperationForward forward, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DicomWebUpstreamClient origin = origins.Get(upstream);
        List<Instance> instances = await ListAsync(origin, request, cancellationToken).ConfigureAwait(false);
        bool oneByOne = request.Identifier.GetString(DicomTags.QueryRetrieveLevel)?.Trim() == "IMAGE";
        var state = new SubOperationCounts();
        var transferred = new Audit.TransferredInstances();
        foreach (IGrouping<(string Study, string Series), Instance> series in instances.GroupBy(i => (i.Study, i.Series)))
        {
            IEnumerable<Instance[]> requests = oneByOne ? series.Select(i => new[] { i }) : [[.. series]];
            foreach (Instance[] batch in requests)
            {
                string path = $"studies/{batch[0].Study}/series/{batch[0].Series}" + (oneByOne ? $"/instances/{batch[0].Sop}" : string.Empty);
                var expected = batch.ToDictionary(i => i.Sop, StringComparer.Ordinal);
                await foreach (RetrieveProgress progress in FetchAsync(origin, path, expected, forward, state, instances.Count, transferred, request.Association.Id, cancellationToken).ConfigureAwait(false))
                {
                    yield return progress;
                }

                // What the origin listed but did not send failed.
                foreach (string missing in expected.Keys)
                {
                    state.Add(DimseStatus.ProcessingFailure, missing);
                }
            }
        }

        RetrieveProgress last = state.Progress(0);
        await RetrieveAudit.RecordAsync(audit, request, last, transferred).ConfigureAwait(false);
        yield return last;
    }

    // One WADO-RS request: each part that is an expected instance goes to the receiver and is removed from expected.
    private async IAsyncEnumerable<RetrieveProgress> FetchAsync(
        DicomWebUpstreamClient origin,
        string path,
        Dictionary<string, Instance> expected,
        SubOperationForward forward,
        SubOperationCounts state,
        int total,
        Audit.TransferredInstances transferred,
        Guid associationId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(origin.Timeout);
        HttpResponseMessage? response = null;
        MultipartReader? reader = null;
        Stream? body = null;
        try
        {
            using HttpRequestMessage message = origin.CreateRequest(HttpMethod.Get, path, Accept);
            response = await origin.SendAsync(message, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogRefused(logger, origin.Name, (int)response.StatusCode, associationId);
                yield break;
            }

            body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            reader = MultipartReader.Create(body, response.Content.Headers.ContentType?.ToString(), PartLimits(expected.Count));
        }
        catch (Exception ex) when (IsOriginFailure(ex, cancellationToken))
        {
            LogFetchFailed(logger, ex, origin.Name, associationId);
            response?.Dispose();
            yield break;
        }

        using (response)
        await using (body!.ConfigureAwait(false))
        {
            while (expected.Count > 0)
            {
                Instance? instance = null;
                DicomPart10Header header;
                try
                {
                    timeout.CancelAfter(origin.Timeout);
                    if (await reader!.ReadNextPartAsync(timeout.Token).ConfigureAwait(false) is not { } part)
                    {
                        break;
                    }

                    header = await DicomPart10Header.ReadAsync(part.Body, cancellationToken: timeout.Token).ConfigureAwait(false);
                    if (header.SopInstanceUid is not { } uid || !expected.Remove(uid, out instance))
                    {
                        // Not listed, or sent twice: not ours to count; its bytes are skipped with the next part.
                        continue;
                    }
                }
                catch (Exception ex) when (IsOriginFailure(ex, cancellationToken))
                {
                    // A malformed, oversized or truncated answer: whatever was not received counts as failed.
                    LogFetchFailed(logger, ex, origin.Name, associationId);
                    if (instance is not null)
                    {
                        state.Add(DimseStatus.ProcessingFailure, instance.Sop);
                    }

                    yield break;
                }

                DimseStatus status = await SendAsync(header, instance, forward, transferred, timeout.Token, cancellationToken).ConfigureAwait(false);
                state.Add(status, instance.Sop);
                yield return state.Progress(total - state.Attempted);
            }
        }
    }

    // One C-STORE sub-operation; any failure of the receiver (or a policy refusal) is the instance's failure.
    private static async Task<DimseStatus> SendAsync(
        DicomPart10Header header,
        Instance instance,
        SubOperationForward forward,
        Audit.TransferredInstances transferred,
        CancellationToken timeout,
        CancellationToken cancellationToken)
    {
        string sopClass = header.SopClassUid is { Length: > 0 } c ? c : instance.SopClass;
        Audit.HeadCapturingStream dataSet = Audit.TransferredInstances.Capture(header.DataSet);
        DimseStatus status;
        try
        {
            status = (await forward(sopClass, instance.Sop, header.TransferSyntax, dataSet, timeout).ConfigureAwait(false)).Status;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            status = DimseStatus.ProcessingFailure;
        }

        if (status.Category is DimseStatusCategory.Success or DimseStatusCategory.Warning)
        {
            await transferred.AddAsync(dataSet, header.TransferSyntax, sopClass).ConfigureAwait(false);
        }

        return status;
    }

    // QIDO-RS at the instance level with the identifier's unique keys: the instances to send, with their classes.
    private async Task<List<Instance>> ListAsync(DicomWebUpstreamClient origin, QueryRequest request, CancellationToken cancellationToken)
    {
        DicomDataset identifier = request.Identifier;
        var query = new DicomDataset();
        query.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "IMAGE");
        bool named = false;
        foreach ((DicomTag tag, DicomVR vr) in new[]
        {
            (DicomTags.PatientID, DicomVR.LO), (DicomTags.StudyInstanceUID, DicomVR.UI), (DicomTags.SeriesInstanceUID, DicomVR.UI), (DicomTags.SOPInstanceUID, DicomVR.UI),
        })
        {
            string[] values = [.. identifier.GetStrings(tag).Select(v => v.Trim()).Where(v => v.Length > 0)];
            if (values.Any(v => v.Contains('*', StringComparison.Ordinal) || v.Contains('?', StringComparison.Ordinal)))
            {
                // PS3.4 C.4.2.2.1: a retrieve names its instances by unique keys; wildcards are not matching here.
                throw new DimseStatusException(DimseStatus.DataSetDoesNotMatchSopClass, "a retrieve identifier holds no wildcards");
            }

            named |= values.Length > 0;
            query.SetString(tag, vr, values);
        }

        query.SetString(DicomTags.SOPClassUID, DicomVR.UI);
        if (!named)
        {
            throw new DimseStatusException(DimseStatus.DataSetDoesNotMatchSopClass, "the retrieve identifier names no patient, study, series or instance");
        }

        if (!QidoRequest.TryFromIdentifier(query, out QidoRequest? qidoRequest, out string? error))
        {
            throw new DimseStatusException(DimseStatus.UnableToProcess, "QIDO-RS cannot list these instances: " + error);
        }

        // A UID the request's path carries is not repeated in every match.
        string? pathStudy = qidoRequest.Resource.StudyInstanceUid;
        string? pathSeries = qidoRequest.Resource.SeriesInstanceUid;
        var instances = new List<Instance>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (DicomDataset match in qido.QueryAsync(origin, qidoRequest.RelativeUri, request.Association.Id, cancellationToken).ConfigureAwait(false))
        {
            string? study = match.GetString(DicomTags.StudyInstanceUID)?.Trim() ?? pathStudy;
            string? series = match.GetString(DicomTags.SeriesInstanceUID)?.Trim() ?? pathSeries;
            string? sop = match.GetString(DicomTags.SOPInstanceUID)?.Trim();
            string? sopClass = match.GetString(DicomTags.SOPClassUID)?.Trim();

            // The UIDs become path segments: only valid UIDs are used, so nothing the origin sends can change the path.
            if (!IsUid(study) || !IsUid(series) || !IsUid(sop) || !seen.Add(sop!))
            {
                continue;
            }

            instances.Add(new Instance(study!, series!, sop!, sopClass ?? string.Empty));
        }

        LogListed(logger, origin.Name, instances.Count, request.Association.Id);
        return instances;
    }

    private static bool IsUid(string? value) => value is { Length: > 0 } && new DicomUid(value).IsValid;

    private static bool IsOriginFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException or IOException or MultipartException or DicomFormatException or OperationCanceledException && !cancellationToken.IsCancellationRequested;

    private sealed record Instance(string Study, string Series, string Sop, string SopClass);

    [LoggerMessage(EventId = 2411, Level = LogLevel.Debug, Message = "DICOMweb upstream {Upstream} listed {Count} instances to retrieve on association {AssociationId}")]
    private static partial void LogListed(ILogger logger, string upstream, int count, Guid associationId);

    [LoggerMessage(EventId = 2412, Level = LogLevel.Warning, Message = "DICOMweb upstream {Upstream} answered a retrieve with HTTP {Status} on association {AssociationId}")]
    private static partial void LogRefused(ILogger logger, string upstream, int status, Guid associationId);

    [LoggerMessage(EventId = 2413, Level = LogLevel.Warning, Message = "Retrieving from DICOMweb upstream {Upstream} failed on association {AssociationId}; what was not received counts as failed")]
    private static partial void LogFetchFailed(ILogger logger, Exception exception, string upstream, Guid associationId);
}
