using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Services;
using Gateway.Host.Configuration;
using Gateway.Policy;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Dimse;

/// <summary>
/// C-GET and C-MOVE from devices, served from the configured Q/R upstream by a C-GET of the gateway's own: each
/// instance the upstream sends is streamed on, without being held whole, to the device's own association (C-GET) or to
/// the move destination, a VLAN device the configuration knows (C-MOVE). Sub-operation counts are the gateway's: an
/// instance counts as completed only when the receiving device accepted it.
/// </summary>
/// <remarks>
/// A Q/R upstream that is a DICOMweb origin serves the instances by WADO-RS instead (<see cref="Bridge.WadoRetrieve"/>), with
/// the same policy checks per sub-operation and the same audit record.
/// </remarks>
public sealed partial class RetrieveRelay(IOptions<GatewayOptions> options, Upstreams upstreams, Policy.GatewayPolicy policy, Audit.GatewayAudit audit, Bridge.WadoRetrieve wado, ILogger<RetrieveRelay> logger) : IRetrieveService
{

    /// <summary>
    /// Storage SOP classes proposed upstream for a C-MOVE, whose destination's abilities are not known in advance: the
    /// image, presentation state, structured report and document classes of the modalities a device VLAN holds,
    /// including the retired ultrasound classes older carts still send.
    /// </summary>
    internal static readonly string[] MoveStorageClasses =
    [
        .. new[]
        {
            "CTImageStorage", "EnhancedCTImageStorage", "MRImageStorage", "EnhancedMRImageStorage", "UltrasoundImageStorage",
            "UltrasoundMultiframeImageStorage", "UltrasoundImageStorageRetired", "UltrasoundMultiframeImageStorageRetired",
            "ComputedRadiographyImageStorage", "DigitalXRayImageStorageForPresentation", "DigitalXRayImageStorageForProcessing",
            "DigitalMammographyXRayImageStorageForPresentation", "DigitalMammographyXRayImageStorageForProcessing", "BreastTomosynthesisImageStorage",
            "SecondaryCaptureImageStorage", "MultiframeGrayscaleByteSecondaryCaptureImageStorage", "MultiframeGrayscaleWordSecondaryCaptureImageStorage",
            "MultiframeTrueColorSecondaryCaptureImageStorage", "XRayAngiographicImageStorage", "EnhancedXAImageStorage", "XRayRadiofluoroscopicImageStorage",
            "NuclearMedicineImageStorage", "PositronEmissionTomographyImageStorage", "EnhancedPETImageStorage", "RTImageStorage", "RTDoseStorage",
            "RTStructureSetStorage", "RTPlanStorage", "GrayscaleSoftcopyPresentationStateStorage", "ColorSoftcopyPresentationStateStorage",
            "BasicTextSRStorage", "EnhancedSRStorage", "ComprehensiveSRStorage", "KeyObjectSelectionDocumentStorage", "XRayRadiationDoseSRStorage",
            "EncapsulatedPDFStorage", "VLPhotographicImageStorage", "SegmentationStorage", "RawDataStorage", "SpatialRegistrationStorage",
        }.Select(keyword => DicomUids.All.Single(u => u.Keyword == keyword).Uid.Value),
    ];

    /// <inheritdoc />
    public IAsyncEnumerable<RetrieveProgress> GetAsync(QueryRequest request, SubOperationSender sender, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sender);

        // Exactly the storage classes (and syntaxes) the device can take on its own association.
        PresentationContextProposalSpec[] storage =
        [
            .. request.Association.PresentationContexts
                .Where(pc => pc.IsAccepted && pc.RequesterIsScp)
                .GroupBy(pc => pc.AbstractSyntax, StringComparer.Ordinal)
                .Select(g => new PresentationContextProposalSpec(g.Key, [.. g.Select(pc => pc.TransferSyntax).Distinct()]))
                .Take(120),
        ];
        policy.Check(request.Association, PolicyOperation.Get, request.SopClassUid);

        // Each sub-operation is checked again with its storage class (a flow may allow some classes only).
        Task<DimseResponse> Forward(string sopClass, string sopInstance, DicomTransferSyntax syntax, Stream dataSet, CancellationToken token)
        {
            policy.Check(request.Association, PolicyOperation.Get, sopClass);
            return sender.StoreAsync(sopClass, sopInstance, syntax, dataSet, token);
        }

        return RelayAsync(request, GetModelFor(request.SopClassUid), storage, Forward, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RetrieveProgress> MoveAsync(QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string destination = request.MoveDestination ?? string.Empty;
        policy.Check(request.Association, PolicyOperation.Move, request.SopClassUid, destination);
        if (!options.Value.Devices.ContainsKey(destination))
        {
            throw new DimseStatusException(DimseStatus.MoveDestinationUnknown, "the move destination is not a known device");
        }

        var associations = new ConcurrentDictionary<string, DicomAssociation>(StringComparer.Ordinal);
        try
        {
            async Task<DimseResponse> ForwardToDestination(string sopClass, string sopInstance, DicomTransferSyntax syntax, Stream dataSet, CancellationToken token)
            {
                policy.Check(request.Association, PolicyOperation.Move, sopClass, destination);
                // One association per class and compressed syntax: an instance in another compressed syntax needs a context
                // that the first association never proposed.
                string key = syntax.IsEncapsulated || syntax.IsDeflated ? sopClass + "|" + syntax.Uid.Value : sopClass;
                if (!associations.TryGetValue(key, out DicomAssociation? association) || association.State != AssociationState.Sta6Established)
                {
                    association = await upstreams.ConnectToDeviceAsync(destination, PresentationContextProposalSpec.ForStoring(sopClass, syntax), token).ConfigureAwait(false);
                    if (associations.TryGetValue(key, out DicomAssociation? previous))
                    {
                        await previous.DisposeAsync().ConfigureAwait(false);
                    }

                    associations[key] = association;
                }

                return await DicomStoreSender.StoreAsync(association, sopClass, sopInstance, syntax, dataSet, request.Association.CallingAE, request.MessageId, token).ConfigureAwait(false);
            }

            PresentationContextProposalSpec[] storage = [.. MoveStorageClasses.Select(c => new PresentationContextProposalSpec(c, PresentationContextProposalSpec.Uncompressed))];
            await foreach (RetrieveProgress progress in RelayAsync(request, GetModelFor(request.SopClassUid), storage, ForwardToDestination, cancellationToken).ConfigureAwait(false))
            {
                yield return progress;
            }
        }
        finally
        {
            foreach (DicomAssociation association in associations.Values)
            {
                await Upstreams.ReleaseQuietlyAsync(association).ConfigureAwait(false);
                await association.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // The C-GET information model matching the requested C-MOVE or C-GET model.
    private static string GetModelFor(string model) =>
        model == DicomUids.PatientRootQueryRetrieveInformationModelMove.Value || model == DicomUids.PatientRootQueryRetrieveInformationModelGet.Value
            ? DicomUids.PatientRootQueryRetrieveInformationModelGet.Value
            : model == DicomUids.StudyRootQueryRetrieveInformationModelMove.Value || model == DicomUids.StudyRootQueryRetrieveInformationModelGet.Value
                ? DicomUids.StudyRootQueryRetrieveInformationModelGet.Value
                : throw new DimseStatusException(DimseStatus.SopClassNotSupported, "unsupported retrieve information model");

    private async IAsyncEnumerable<RetrieveProgress> RelayAsync(
        QueryRequest request,
        string getModel,
        IReadOnlyList<PresentationContextProposalSpec> storage,
        SubOperationForward forward,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        UpstreamTarget upstream = upstreams.Resolve(request.Association.CalledAE, options.Value.Routing.QueryRetrieve)
            ?? throw new DimseStatusException(DimseStatus.SopClassNotSupported, "no query/retrieve upstream is configured");
        if (upstream.DicomWeb is { } origin)
        {
            await foreach (RetrieveProgress progress in wado.RetrieveAsync(request, origin, forward, cancellationToken).ConfigureAwait(false))
            {
                yield return progress;
            }

            yield break;
        }

        var relay = new SubOperationRelay(forward);
        DicomAssociation association;
        try
        {
            association = await upstreams.ConnectAsync(
                upstream,
                [getModel],
                [.. storage.Select(s => new RoleSelection(s.AbstractSyntax, ScuRole: false, ScpRole: true))],
                relay,
                storage,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUpstreamUnavailable(logger, ex, upstream.AETitle, request.Association.Id);
            throw new DimseStatusException(DimseStatus.UnableToProcess, "the upstream is unreachable");
        }

        await using (association.ConfigureAwait(false))
        {
            DimseResponse? final = null;
            await foreach (DimseResponse response in association.GetAsync(getModel, request.Identifier, cancellationToken).ConfigureAwait(false))
            {
                if (response.Status.Category == DimseStatusCategory.Pending)
                {
                    yield return relay.Progress(response.Command.RemainingSubOperations ?? 1);
                }
                else
                {
                    final = response;
                }
            }

            await Upstreams.ReleaseQuietlyAsync(association).ConfigureAwait(false);
            if (final is { Status.Category: DimseStatusCategory.Failure } failed && relay.Attempted == 0)
            {
                throw new DimseStatusException(failed.Status, failed.Command.ErrorComment ?? "the upstream refused the retrieve");
            }

            // Sub-operations the upstream reported as failed on its side (it could not send them) count as failed here.
            int upstreamFailed = final?.Command.FailedSubOperations ?? 0;
            RetrieveProgress last = relay.Final(upstreamFailed, FailedUids(final?.DataSet));
            await RetrieveAudit.RecordAsync(audit, request, last, relay.Transferred).ConfigureAwait(false);
            yield return last;
        }
    }

    private static IReadOnlyList<string> FailedUids(DicomDataset? identifier) =>
        identifier?.GetStrings(DicomTags.FailedSOPInstanceUIDList) ?? [];

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Upstream {Upstream} unreachable for a retrieve on association {AssociationId}")]
    private static partial void LogUpstreamUnavailable(ILogger logger, Exception exception, string upstream, Guid associationId);
}
