using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Services;

/// <summary>Sends the C-STORE sub-operations of a C-GET back on the requesting association (PS3.4 C.4.3).</summary>
public sealed class SubOperationSender
{
    internal SubOperationSender(DicomAssociation association, string requesterAE, ushort messageId)
    {
        Association = association;
        RequesterAE = requesterAE;
        MessageId = messageId;
    }

    /// <summary>The association of the C-GET.</summary>
    public DicomAssociation Association { get; }

    /// <summary>The AE title of the C-GET requester.</summary>
    public string RequesterAE { get; }

    /// <summary>The C-GET's message ID.</summary>
    public ushort MessageId { get; }

    /// <summary>Sends one file; the requester must have accepted the SCP role for its SOP class.</summary>
    public Task<DimseResponse> StoreFileAsync(string path, CancellationToken cancellationToken) =>
        DicomStoreSender.StoreFileAsync(Association, path, null, null, cancellationToken);

    /// <summary>Sends one data set read from a stream (see <see cref="DicomStoreSender.StoreAsync(DicomAssociation, string, string, DicomTransferSyntax, Stream, string?, ushort?, CancellationToken)"/>).</summary>
    public Task<DimseResponse> StoreAsync(string sopClass, string sopInstance, DicomTransferSyntax syntax, Stream dataSet, CancellationToken cancellationToken) =>
        DicomStoreSender.StoreAsync(Association, sopClass, sopInstance, syntax, dataSet, null, null, cancellationToken);
}
