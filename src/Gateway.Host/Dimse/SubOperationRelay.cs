using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Services;

namespace Gateway.Host.Dimse;

/// <summary>
/// Serves the C-STORE sub-operations of a C-GET the gateway sent upstream: each instance goes to a
/// <see cref="SubOperationForward"/> and the upstream is answered with the receiver's status; the counts become the
/// retrieve's progress.
/// </summary>
internal sealed class SubOperationRelay(SubOperationForward forward) : IDimseRequestHandler
{
    private readonly SubOperationCounts _counts = new();

    public int Attempted => _counts.Attempted;

    // The studies and patients of what went through, for the audit record.
    public Audit.TransferredInstances Transferred { get; } = new();

    public async Task HandleAsync(DimseRequest request, CancellationToken cancellationToken)
    {
        DimseCommand command = request.Command;
        if (command.CommandField != DimseCommandField.CStoreRequest || request.DataSet is null)
        {
            throw new DimseStatusException(DimseStatus.UnrecognizedOperation, "only C-STORE sub-operations are expected here");
        }

        string sopClass = command.AffectedSopClassUid ?? request.PresentationContext.AbstractSyntax;
        string sopInstance = command.AffectedSopInstanceUid ?? string.Empty;
        DimseStatus status;
        Audit.HeadCapturingStream dataSet = Audit.TransferredInstances.Capture(request.DataSet);
        try
        {
            DimseResponse response = await forward(sopClass, sopInstance, request.PresentationContext.TransferSyntax, dataSet, cancellationToken).ConfigureAwait(false);
            status = response.Status;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            status = DimseStatus.ProcessingFailure;
        }

        // Whatever the receiver did not read is drained, so the upstream association stays in step.
        await request.DataSet.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        if (status.Category is DimseStatusCategory.Success or DimseStatusCategory.Warning)
        {
            await Transferred.AddAsync(dataSet, request.PresentationContext.TransferSyntax, sopClass).ConfigureAwait(false);
        }

        _counts.Add(status, sopInstance);

        var answer = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CStoreResponse,
            MessageIdBeingRespondedTo = command.MessageId,
            AffectedSopClassUid = sopClass,
            AffectedSopInstanceUid = sopInstance,
            HasDataSet = false,
            Status = status.Category == DimseStatusCategory.Failure ? new DimseStatus(0xA700) : status,
        };
        await request.RespondAsync(answer, null, cancellationToken).ConfigureAwait(false);
    }

    public RetrieveProgress Progress(int remaining) => _counts.Progress(Math.Max(remaining, 1));

    // Sub-operations the upstream reported as failed beyond those the receiver failed never reached the gateway.
    public RetrieveProgress Final(int upstreamFailed, IReadOnlyList<string> upstreamFailedUids) =>
        _counts.Progress(0, Math.Max(0, upstreamFailed - _counts.Progress(0).Failed), upstreamFailedUids);
}
