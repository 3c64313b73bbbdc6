using System.Runtime.CompilerServices;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Configuration;
using Gateway.Policy;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Dimse;

/// <summary>
/// C-FIND (Patient Root, Study Root) and Modality Worklist queries from devices, relayed to the configured upstream
/// under the gateway's own AE title; matches stream back as they arrive, a C-CANCEL from the device becomes a C-CANCEL
/// upstream, and the upstream's failure status is the device's.
/// </summary>
/// <remarks>A Q/R upstream that is a DICOMweb origin answers Patient and Study Root queries from QIDO-RS (<see cref="Bridge.QidoFind"/>) after the same policy check and audit record.</remarks>
public sealed partial class FindRelay(IOptions<GatewayOptions> options, Upstreams upstreams, Policy.GatewayPolicy policy, Audit.GatewayAudit audit, Bridge.QidoFind qido, ILogger<FindRelay> logger) : IFindService
{
    /// <inheritdoc />
    public async IAsyncEnumerable<DicomDataset> FindAsync(QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool worklist = request.SopClassUid == DicomUids.ModalityWorklistInformationModelFind.Value;
        PolicyDecision decision = policy.Check(request.Association, worklist ? PolicyOperation.Worklist : PolicyOperation.Find, request.SopClassUid);

        // The query is recorded (keys included, encrypted in the log) before it leaves the gateway.
        await audit.RecordAsync(
            Gateway.Audit.Records.AuditEventId.Query,
            Gateway.Audit.Records.AuditEventAction.Execute,
            Gateway.Audit.Records.AuditEventOutcome.Success,
            request.Association,
            decision,
            [Gateway.Audit.Records.AuditRecords.QueryObject(request.SopClassUid, await EncodeAsync(request.Identifier, cancellationToken).ConfigureAwait(false)), .. Audit.AuditPatients.OfIdentifier(request.Identifier)],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        UpstreamTarget upstream = upstreams.Resolve(request.Association.CalledAE, worklist ? options.Value.Routing.Worklist : options.Value.Routing.QueryRetrieve)
            ?? throw new DimseStatusException(DimseStatus.SopClassNotSupported, worklist ? "no worklist upstream is configured" : "no query/retrieve upstream is configured");
        if (upstream.DicomWeb is { } origin && !worklist)
        {
            await foreach (DicomDataset match in qido.FindAsync(request, origin, cancellationToken).ConfigureAwait(false))
            {
                yield return match;
            }

            yield break;
        }

        DicomAssociation association;
        try
        {
            association = await upstreams.ConnectAsync(upstream, [request.SopClassUid], cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUpstreamUnavailable(logger, ex, upstream.AETitle, request.Association.Id);
            throw new DimseStatusException(DimseStatus.UnableToProcess, "the upstream is unreachable");
        }

        await using (association.ConfigureAwait(false))
        {
            DimseStatus? final = null;
            string? comment = null;
            await foreach (DimseResponse response in association.FindAsync(request.SopClassUid, request.Identifier, cancellationToken).ConfigureAwait(false))
            {
                if (response.Status.Category == DimseStatusCategory.Pending)
                {
                    if (response.DataSet is { } match)
                    {
                        // FF01 (optional keys not supported upstream) reaches the device as the upstream sent it.
                        request.PendingStatus = response.Status;
                        yield return match;
                    }
                }
                else
                {
                    final = response.Status;
                    comment = response.Command.ErrorComment;
                }
            }

            await Upstreams.ReleaseQuietlyAsync(association).ConfigureAwait(false);
            if (final is { Category: DimseStatusCategory.Failure } failure)
            {
                throw new DimseStatusException(failure, comment ?? "the upstream refused the query");
            }
        }
    }

    // The query keys as the audit vocabulary wants them: the identifier in explicit VR little endian.
    internal static async Task<byte[]> EncodeAsync(DicomDataset identifier, CancellationToken cancellationToken)
    {
        using var bytes = new MemoryStream();
        await using (var writer = new Gateway.Dicom.IO.DicomStreamWriter(bytes, DicomTransferSyntax.ExplicitVRLittleEndian.Encoding))
        {
            await Gateway.Dicom.IO.DicomDatasetWriter.WriteAsync(writer, identifier, cancellationToken).ConfigureAwait(false);
        }

        return bytes.ToArray();
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Upstream {Upstream} unreachable for a query on association {AssociationId}")]
    private static partial void LogUpstreamUnavailable(ILogger logger, Exception exception, string upstream, Guid associationId);
}
