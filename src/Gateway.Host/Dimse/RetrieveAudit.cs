using Gateway.Dicom.Network.Services;

namespace Gateway.Host.Dimse;

/// <summary>The DICOM Instances Transferred record of a relayed C-MOVE or C-GET, whichever kind of upstream served it.</summary>
internal static class RetrieveAudit
{
    /// <summary>Records what went to the device (or move destination) once the retrieve is over; not cancellable, so a finished transfer is always recorded.</summary>
    public static ValueTask RecordAsync(Audit.GatewayAudit audit, QueryRequest request, RetrieveProgress last, Audit.TransferredInstances transferred) =>
        audit.RecordAsync(
            Gateway.Audit.Records.AuditEventId.DicomInstancesTransferred,
            Gateway.Audit.Records.AuditEventAction.Read,
            last.Failed == 0 ? Gateway.Audit.Records.AuditEventOutcome.Success : Gateway.Audit.Records.AuditEventOutcome.MinorFailure,
            request.Association,
            null,
            [Gateway.Audit.Records.AuditRecords.QueryObject(request.SopClassUid, []), .. transferred.Objects(request.Identifier)],
            $"{(request.MoveDestination is null ? "C-GET" : "C-MOVE to " + request.MoveDestination)}: completed {last.Completed}, failed {last.Failed}, warning {last.Warning}",
            CancellationToken.None);
}
