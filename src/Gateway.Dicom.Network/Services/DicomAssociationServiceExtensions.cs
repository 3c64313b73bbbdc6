using System.Runtime.CompilerServices;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Services;

/// <summary>The SCU side of the DIMSE-C services on an association.</summary>
public static class DicomAssociationServiceExtensions
{
    /// <summary>C-ECHO (Verification, 1.2.840.10008.1.1).</summary>
    public static async Task<DimseStatus> EchoAsync(this DicomAssociation association, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(association);
        NegotiatedPresentationContext context = Context(association, DicomUids.Verification.Value);
        var command = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CEchoRequest,
            MessageId = association.NextMessageId(),
            AffectedSopClassUid = context.AbstractSyntax,
            HasDataSet = false,
        };
        DimseResponse? final = null;
        await foreach (DimseResponse response in association.SendRequestAsync(context, command, null, null, cancellationToken).ConfigureAwait(false))
        {
            final = response;
        }

        return final?.Status ?? throw new DicomAssociationAbortedException("the association ended before the C-ECHO response");
    }

    /// <summary>C-FIND: yields every response (pending ones carry a match; the last one the final status).</summary>
    public static IAsyncEnumerable<DimseResponse> FindAsync(this DicomAssociation association, string informationModel, DicomDataset identifier, CancellationToken cancellationToken = default) =>
        SendQueryAsync(association, DimseCommandField.CFindRequest, informationModel, identifier, null, cancellationToken);

    /// <summary>C-MOVE: yields the pending responses with sub-operation counts, then the final one.</summary>
    public static IAsyncEnumerable<DimseResponse> MoveAsync(this DicomAssociation association, string informationModel, DicomDataset identifier, string destination, CancellationToken cancellationToken = default) =>
        SendQueryAsync(association, DimseCommandField.CMoveRequest, informationModel, identifier, destination, cancellationToken);

    /// <summary>
    /// C-GET: yields the responses; the instances arrive as C-STORE requests on the same association, served by the
    /// handler given when the association was opened (storage contexts with the SCP role must have been proposed).
    /// </summary>
    public static IAsyncEnumerable<DimseResponse> GetAsync(this DicomAssociation association, string informationModel, DicomDataset identifier, CancellationToken cancellationToken = default) =>
        SendQueryAsync(association, DimseCommandField.CGetRequest, informationModel, identifier, null, cancellationToken);

    private static async IAsyncEnumerable<DimseResponse> SendQueryAsync(
        DicomAssociation association,
        DimseCommandField field,
        string informationModel,
        DicomDataset identifier,
        string? destination,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(association);
        ArgumentNullException.ThrowIfNull(identifier);
        NegotiatedPresentationContext context = Context(association, informationModel);
        var command = new DimseCommand(new DicomDataset())
        {
            CommandField = field,
            MessageId = association.NextMessageId(),
            AffectedSopClassUid = informationModel,
            Priority = DimsePriority.Medium,
            HasDataSet = true,
            MoveDestination = destination,
        };
        await foreach (DimseResponse response in association.SendRequestAsync(context, command, identifier, null, cancellationToken).ConfigureAwait(false))
        {
            yield return response;
        }
    }

    private static NegotiatedPresentationContext Context(DicomAssociation association, string abstractSyntax) =>
        association.FindAcceptedContext(abstractSyntax)
        ?? throw new InvalidOperationException($"The peer did not accept a presentation context for {DicomUids.Find(abstractSyntax)?.Keyword ?? abstractSyntax}.");
}
