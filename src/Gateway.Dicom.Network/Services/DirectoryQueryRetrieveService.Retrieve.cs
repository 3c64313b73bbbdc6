using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;
using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Services;

public sealed partial class DirectoryQueryRetrieveService
{
    // One association carries at most 128 presentation contexts (PS3.8 9.3.2.2); each group of files takes two.
    private const int MaxGroupsPerAssociation = 64;

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// C-CANCEL (and the end of the requesting association) is honoured between sub-operations: the C-STORE in flight
    /// is finished and counted, never abandoned, so that its response can never arrive for a request no longer
    /// outstanding (which the association treats as a protocol violation) and the counts match what was stored. A
    /// destination that stops answering is bounded by the DIMSE timeout of its association.
    /// </para>
    /// <para>
    /// The destination must be one of <see cref="DirectoryQueryRetrieveOptions.MoveDestinations"/>. The instances go on
    /// new associations (one per 64 SOP class / transfer syntax groups) that propose, for each group, the file's own
    /// transfer syntax and, for unencapsulated data, explicit and implicit VR little endian to convert to. An unreachable
    /// destination fails every sub-operation of its association. The C-STOREs carry the Move Originator AE Title; the
    /// Move Originator Message ID is left out because <see cref="QueryRequest"/> does not carry the C-MOVE's message ID.
    /// </para>
    /// </remarks>
    public async IAsyncEnumerable<RetrieveProgress> MoveAsync(QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string destination = request.MoveDestination?.Trim() ?? string.Empty;
        if (!_destinations.TryGetValue(destination, out DicomClientOptions? peer))
        {
            throw new DimseStatusException(DimseStatus.MoveDestinationUnknown, $"move destination '{destination}' is not configured");
        }

        IReadOnlyList<IndexedInstanceFile> files = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        Guid id = request.Association.Id;
        LogRetrieve(_logger, id, "C-MOVE", request.Association.CallingAE, destination, files.Count);
        var counter = new SubOperationCounter(files.Count);
        foreach (IReadOnlyList<IndexedInstanceFile> batch in Batches(files))
        {
            cancellationToken.ThrowIfCancellationRequested();
            DicomAssociation? association = await ConnectAsync(id, destination, peer, batch, cancellationToken).ConfigureAwait(false);
            if (association is null)
            {
                foreach (IndexedInstanceFile file in batch)
                {
                    counter.Record(file.SopInstanceUid, SubOperationOutcome.Failed);
                }

                yield return counter.Progress;
                continue;
            }

            // True while no C-STORE is in flight on the destination association: it can then still be released.
            bool inStep = true;
            bool done = false;
            try
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        // Between two sub-operations the destination association is in step: release it properly.
                        break;
                    }

                    IndexedInstanceFile file = batch[i];
                    inStep = false;
                    SubOperationOutcome outcome = await StoreAsync(
                        id,
                        file,
                        () => DicomStoreSender.StoreFileAsync(association, file.Path, request.Association.CallingAE, request.MessageId, CancellationToken.None)).ConfigureAwait(false);
                    inStep = outcome != SubOperationOutcome.AssociationLost;
                    counter.Record(file.SopInstanceUid, outcome);
                    if (outcome == SubOperationOutcome.AssociationLost)
                    {
                        foreach (IndexedInstanceFile rest in batch.Skip(i + 1))
                        {
                            counter.Record(rest.SopInstanceUid, SubOperationOutcome.Failed);
                        }

                        yield return counter.Progress;
                        break;
                    }

                    yield return counter.Progress;
                }

                done = await ReleaseAsync(association).ConfigureAwait(false);
            }
            finally
            {
                // Stopped early: at a pending response (the dispatcher stops reading progress on C-CANCEL) the destination
                // association is in step and is released; after a failure in the middle of a C-STORE it is aborted.
                if (!done && !(inStep && await ReleaseAsync(association).ConfigureAwait(false)))
                {
                    await association.AbortAsync().ConfigureAwait(false);
                }

                await association.DisposeAsync().ConfigureAwait(false);
            }
        }

        // C-CANCEL: the dispatcher answers Cancel with the counts so far.
        cancellationToken.ThrowIfCancellationRequested();
        LogRetrieveDone(_logger, id, "C-MOVE", counter.Completed, counter.Failed, counter.Warning);
    }

    /// <inheritdoc />
    /// <remarks>
    /// An instance whose SOP class the requester did not propose with the SCP role (SCP/SCU Role Selection, PS3.7 D.3.3.4),
    /// or in no transfer syntax the file can be sent in, is a failed sub-operation, as dcmqrscp counts it; the others go on.
    /// C-CANCEL is honoured between sub-operations, as for <see cref="MoveAsync"/>.
    /// </remarks>
    public async IAsyncEnumerable<RetrieveProgress> GetAsync(QueryRequest request, SubOperationSender sender, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sender);
        IReadOnlyList<IndexedInstanceFile> files = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        Guid id = request.Association.Id;
        LogRetrieve(_logger, id, "C-GET", request.Association.CallingAE, sender.RequesterAE, files.Count);
        var counter = new SubOperationCounter(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IndexedInstanceFile file = files[i];
            SubOperationOutcome outcome;
            if (DicomStoreSender.ChooseContext(sender.Association, file.SopClassUid, file.TransferSyntax) is null)
            {
                LogSubOperationFailed(_logger, id, file.SopInstanceUid, $"no presentation context with the SCP role for {file.SopClassUid} in {file.TransferSyntax.Uid}");
                outcome = SubOperationOutcome.Failed;
            }
            else
            {
                outcome = await StoreAsync(id, file, () => sender.StoreFileAsync(file.Path, CancellationToken.None)).ConfigureAwait(false);
            }

            counter.Record(file.SopInstanceUid, outcome);
            if (outcome == SubOperationOutcome.AssociationLost)
            {
                // The requester is gone: nothing can be answered any more.
                yield break;
            }

            yield return counter.Progress;
        }

        LogRetrieveDone(_logger, id, "C-GET", counter.Completed, counter.Failed, counter.Warning);
    }

    private async Task<IReadOnlyList<IndexedInstanceFile>> ResolveAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        await WhenIndexedAsync(cancellationToken).ConfigureAwait(false);
        QueryPlan plan = Plan(request.SopClassUid, request.Identifier, retrieve: true);
        IReadOnlyList<IndexedInstanceFile[]> matches = _index.Match(plan, _options.MaxMatches, node => QueryIndex.InstancesInOrder(node).Select(n => n.File!).ToArray());
        List<IndexedInstanceFile> files = [.. matches.SelectMany(m => m)];
        if (files.Count > _options.MaxMatches)
        {
            throw new DimseStatusException(DimseStatus.OutOfResourcesSubOperations, $"more than {_options.MaxMatches} instances to retrieve; narrow the request");
        }

        return files;
    }

    // Splits the files, in order, into runs whose SOP class / transfer syntax groups fit one association.
    private static IEnumerable<IReadOnlyList<IndexedInstanceFile>> Batches(IReadOnlyList<IndexedInstanceFile> files)
    {
        var batch = new List<IndexedInstanceFile>();
        var groups = new HashSet<(string, string)>();
        foreach (IndexedInstanceFile file in files)
        {
            (string, string) group = (file.SopClassUid, file.TransferSyntax.Uid.Value);
            if (!groups.Contains(group) && groups.Count == MaxGroupsPerAssociation)
            {
                yield return batch;
                batch = [];
                groups.Clear();
            }

            groups.Add(group);
            batch.Add(file);
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private static List<PresentationContextProposal> Proposals(IReadOnlyList<IndexedInstanceFile> batch)
    {
        var proposals = new List<PresentationContextProposal>();
        foreach ((string sopClass, DicomTransferSyntax syntax) in batch.Select(f => (f.SopClassUid, f.TransferSyntax)).Distinct())
        {
            // The file's own syntax alone first, so that an acceptor preferring another one cannot force a conversion;
            // then the uncompressed syntaxes it can be converted to, should the destination refuse the first.
            proposals.Add(new PresentationContextProposal((byte)((proposals.Count * 2) + 1), sopClass, [syntax.Uid.Value]));
            if (!syntax.IsEncapsulated)
            {
                proposals.Add(new PresentationContextProposal(
                    (byte)((proposals.Count * 2) + 1),
                    sopClass,
                    [DicomTransferSyntax.ExplicitVRLittleEndian.Uid.Value, DicomTransferSyntax.ImplicitVRLittleEndian.Uid.Value]));
            }
        }

        return proposals;
    }

    private async Task<DicomAssociation?> ConnectAsync(Guid id, string destination, DicomClientOptions peer, IReadOnlyList<IndexedInstanceFile> batch, CancellationToken cancellationToken)
    {
        var request = new AssociationRequest
        {
            CallingAE = _options.AETitle,
            CalledAE = destination,
            PresentationContexts = Proposals(batch),
        };
        try
        {
            return await DicomClient.ConnectAsync(peer, request, null, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomAssociationRejectedException or DicomAssociationAbortedException or DicomProtocolException
            or SocketException or AuthenticationException or TimeoutException or IOException)
        {
            LogDestinationUnreachable(_logger, id, destination, ex.Message);
            return null;
        }
    }

    private async Task<SubOperationOutcome> StoreAsync(Guid id, IndexedInstanceFile file, Func<Task<DimseResponse>> send)
    {
        try
        {
            DimseResponse response = await send().ConfigureAwait(false);
            switch (response.Status.Category)
            {
                case DimseStatusCategory.Success:
                    return SubOperationOutcome.Completed;
                case DimseStatusCategory.Warning:
                    return SubOperationOutcome.Warning;
                default:
                    LogSubOperationFailed(_logger, id, file.SopInstanceUid, $"C-STORE status {response.Status}");
                    return SubOperationOutcome.Failed;
            }
        }
        catch (Exception ex) when (ex is DicomAssociationAbortedException or TimeoutException)
        {
            LogSubOperationFailed(_logger, id, file.SopInstanceUid, ex.Message);
            return SubOperationOutcome.AssociationLost;
        }
        catch (Exception ex) when (ex is InvalidOperationException or DicomFormatException or IOException or UnauthorizedAccessException)
        {
            // No accepted context for it, or its file is gone or unreadable: this instance fails, the others go on.
            LogSubOperationFailed(_logger, id, file.SopInstanceUid, ex.Message);
            return SubOperationOutcome.Failed;
        }
    }

    // Bounded by the association's ARTIM timeout; not cancelled, so that a C-CANCEL still ends the association cleanly.
    private static async Task<bool> ReleaseAsync(DicomAssociation association)
    {
        try
        {
            await association.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is DicomAssociationAbortedException or IOException or TimeoutException)
        {
            // Everything was sent and counted already; an unclean end changes nothing for the requester.
            return false;
        }
    }
}
