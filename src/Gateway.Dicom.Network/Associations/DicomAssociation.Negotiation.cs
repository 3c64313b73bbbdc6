using System.Security.Cryptography.X509Certificates;
using System.Net;
using System.Net.Security;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Dicom.Network.Associations;

public sealed partial class DicomAssociation
{
    /// <summary>
    /// Requests an association on a connected stream (TCP, or TLS after its handshake): sends the A-ASSOCIATE-RQ and
    /// waits (ARTIM) for the answer.
    /// </summary>
    /// <exception cref="DicomAssociationRejectedException">The acceptor rejected the association.</exception>
    /// <exception cref="DicomAssociationAbortedException">The acceptor aborted, closed the connection, or did not answer in time.</exception>
    public static async Task<DicomAssociation> RequestAsync(
        Stream stream,
        AssociationRequest request,
        AssociationOptions? options = null,
        IDimseRequestHandler? handler = null,
        EndPoint? remoteEndPoint = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        options ??= AssociationOptions.Default;
        var rq = new AssociateRequestPdu
        {
            CalledAE = request.CalledAE,
            CallingAE = request.CallingAE,
            PresentationContexts = request.PresentationContexts,
            UserInformation = new UserInformation
            {
                MaximumLength = options.Limits.MaxDataPduLength,
                ImplementationClassUid = options.ImplementationClassUid,
                ImplementationVersionName = options.ImplementationVersionName,
                RoleSelections = request.RoleSelections,
                ExtendedNegotiations = request.ExtendedNegotiations,
                UserIdentity = request.UserIdentity,
            },
        };

        var channel = new PduChannel(stream, options.Limits);
        try
        {
            using var artim = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            artim.CancelAfter(options.ArtimTimeout);
            await channel.WritePduAsync(rq, artim.Token).ConfigureAwait(false);
            Pdu? answer;
            try
            {
                answer = await channel.ReadPduAsync(artim.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DicomAssociationAbortedException($"no answer to the A-ASSOCIATE-RQ within {options.ArtimTimeout.TotalSeconds:0} s");
            }

            switch (answer)
            {
                case AssociateAcceptPdu ac:
                    IReadOnlyList<NegotiatedPresentationContext> contexts = MatchAnswers(rq, ac);
                    var association = new DicomAssociation(stream, channel, true, rq, ac, contexts, options, handler, remoteEndPoint, (stream as SslStream)?.RemoteCertificate, logger);
                    LogEstablished(association._logger, association.Id, rq.CallingAE, rq.CalledAE, contexts.Count(c => c.IsAccepted), contexts.Count);
                    association.StartReceiving();
                    return association;
                case AssociateRejectPdu rj:
                    throw new DicomAssociationRejectedException(rj);
                case AbortPdu abort:
                    throw new DicomAssociationAbortedException($"the acceptor aborted (source {abort.Source}, reason {abort.Reason})", abort);
                case null:
                    throw new DicomAssociationAbortedException("the acceptor closed the connection without answering the A-ASSOCIATE-RQ");
                default:
                    var unexpected = new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu);
                    await channel.WritePduAsync(unexpected, CancellationToken.None).ConfigureAwait(false);
                    throw new DicomAssociationAbortedException($"{answer.Type} in answer to an A-ASSOCIATE-RQ", unexpected);
            }
        }
        catch (DicomProtocolException ex)
        {
            await TryWriteAsync(channel, new AbortPdu(AbortSource.ServiceProvider, ex.Reason)).ConfigureAwait(false);
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new DicomAssociationAbortedException("protocol violation by the acceptor: " + ex.Message, null, ex);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Accepts (or rejects) an association on a freshly opened connection: waits (ARTIM) for the A-ASSOCIATE-RQ,
    /// negotiates with <paramref name="policy"/>, and answers.
    /// </summary>
    /// <returns>The association, or null when it was rejected or the peer went away (the connection is then done).</returns>
    public static async Task<DicomAssociation?> AcceptAsync(
        Stream stream,
        AssociationAcceptancePolicy policy,
        IDimseRequestHandler handler,
        AssociationOptions? options = null,
        EndPoint? remoteEndPoint = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(handler);
        options ??= AssociationOptions.Default;
        ILogger log = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var channel = new PduChannel(stream, options.Limits);
        bool handedOver = false;
        try
        {
            // Sta2: ARTIM runs until the A-ASSOCIATE-RQ arrives (PS3.8 9.1.5).
            Pdu? first;
            using (var artim = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                artim.CancelAfter(options.ArtimTimeout);
                try
                {
                    first = await channel.ReadPduAsync(artim.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    LogArtimExpired(log, remoteEndPoint);
                    return null;
                }
            }

            if (first is not AssociateRequestPdu rq)
            {
                // AA-1 (PS3.8 Table 9-10): anything but an A-ASSOCIATE-RQ in Sta2 is answered with an A-ABORT.
                if (first is not null and not AbortPdu)
                {
                    await TryWriteAsync(channel, new AbortPdu(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)).ConfigureAwait(false);
                }

                return null;
            }

            X509Certificate? certificate = (stream as SslStream)?.RemoteCertificate;
            AssociationIdentity? identity = null;
            bool unauthenticated = false;
            if (rq.UserInformation.UserIdentity is { } presented && policy.Authenticate is { } authenticate)
            {
                identity = await authenticate(presented, new AssociationAuthorizationContext(rq, remoteEndPoint, certificate), cancellationToken).ConfigureAwait(false);
                unauthenticated = identity is null;
            }

            (AssociateRejectPdu? reject, AssociateAcceptPdu? ac, IReadOnlyList<NegotiatedPresentationContext> contexts, object? authorization) = unauthenticated
                ? (AssociateRejectPdu.NoReasonGiven(), null, [], null)
                : Negotiate(rq, policy, options, remoteEndPoint, certificate, identity);
            if (reject is not null)
            {
                LogRejected(log, rq.CallingAE, rq.CalledAE, remoteEndPoint, reject.Describe());
                await channel.WritePduAsync(reject, cancellationToken).ConfigureAwait(false);
                await WaitForCloseAsync(channel, options).ConfigureAwait(false);
                return null;
            }

            await channel.WritePduAsync(ac!, cancellationToken).ConfigureAwait(false);
            var association = new DicomAssociation(stream, channel, false, rq, ac!, contexts, options, handler, remoteEndPoint, certificate, logger)
            {
                Authorization = authorization,
                Identity = identity,
            };
            LogEstablished(log, association.Id, rq.CallingAE, rq.CalledAE, contexts.Count(c => c.IsAccepted), contexts.Count);
            association.StartReceiving();
            handedOver = true;
            return association;
        }
        catch (DicomProtocolException ex)
        {
            LogMalformedRequest(log, remoteEndPoint, ex.Reason, ex.Message);
            await TryWriteAsync(channel, new AbortPdu(AbortSource.ServiceProvider, ex.Reason)).ConfigureAwait(false);
            return null;
        }
        catch (IOException)
        {
            return null;
        }
        finally
        {
            if (!handedOver)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Decides the answer to an A-ASSOCIATE-RQ under a policy (pure: no I/O).</summary>
    internal static (AssociateRejectPdu? Reject, AssociateAcceptPdu? Accept, IReadOnlyList<NegotiatedPresentationContext> Contexts, object? Authorization) Negotiate(
        AssociateRequestPdu rq,
        AssociationAcceptancePolicy policy,
        AssociationOptions options,
        EndPoint? remoteEndPoint,
        X509Certificate? certificate = null,
        AssociationIdentity? identity = null)
    {
        if ((rq.ProtocolVersion & 1) == 0)
        {
            return (AssociateRejectPdu.ProtocolVersionNotSupported(), null, [], null);
        }

        if (rq.ApplicationContext != AssociatePdu.DicomApplicationContext)
        {
            return (AssociateRejectPdu.ApplicationContextNotSupported(), null, [], null);
        }

        if (policy.RequireCalledAE && !string.Equals(rq.CalledAE, policy.AETitle, StringComparison.Ordinal))
        {
            return (AssociateRejectPdu.CalledAETitleNotRecognized(), null, [], null);
        }

        if (rq.CallingAE.Length == 0)
        {
            return (AssociateRejectPdu.CallingAETitleNotRecognized(), null, [], null);
        }

        if (policy.Screen?.Invoke(rq, remoteEndPoint) is { } screened)
        {
            return (screened, null, [], null);
        }

        AssociationAuthorization? authorization = policy.Authorize?.Invoke(new AssociationAuthorizationContext(rq, remoteEndPoint, certificate) { Identity = identity });
        if (authorization?.Reject is { } refused)
        {
            return (refused, null, [], null);
        }

        ReadOnlyMemory<byte>? identityResponse = null;
        if (identity is not null)
        {
            if (rq.UserInformation.UserIdentity!.PositiveResponseRequested)
            {
                identityResponse = identity.ServerResponse;
            }
        }
        else if (rq.UserInformation.UserIdentity is { } presented && policy.IdentityValidator is { } validate)
        {
            byte[]? response = validate(presented);
            if (response is null)
            {
                return (AssociateRejectPdu.NoReasonGiven(), null, [], null);
            }

            if (presented.PositiveResponseRequested)
            {
                identityResponse = response;
            }
        }

        var roles = new Dictionary<string, RoleSelection>(StringComparer.Ordinal);
        foreach (RoleSelection role in rq.UserInformation.RoleSelections)
        {
            roles.TryAdd(role.SopClassUid, role);
        }

        var answers = new List<PresentationContextAnswer>();
        var contexts = new List<NegotiatedPresentationContext>();
        var seen = new HashSet<byte>();
        foreach (PresentationContextProposal pc in rq.PresentationContexts)
        {
            if ((pc.Id & 1) == 0 || !seen.Add(pc.Id))
            {
                // PS3.8 9.3.2.2: ids are odd and unique; a bad one is refused rather than guessed at.
                answers.Add(new PresentationContextAnswer(pc.Id, PresentationContextResult.NoReason, string.Empty));
                continue;
            }

            IReadOnlyList<DicomTransferSyntax>? accepted = AcceptedSyntaxes(pc.AbstractSyntax, policy);
            if (accepted is not null && authorization?.AcceptsAbstractSyntax is { } allowed && !allowed(pc.AbstractSyntax))
            {
                // Known to us, but not allowed to this peer: a user rejection (PS3.8 9.3.3.2), not "not supported".
                answers.Add(new PresentationContextAnswer(pc.Id, PresentationContextResult.UserRejection, string.Empty));
                contexts.Add(new NegotiatedPresentationContext(pc.Id, pc.AbstractSyntax, PresentationContextResult.UserRejection, DicomTransferSyntax.ImplicitVRLittleEndian));
                continue;
            }

            if (accepted is null)
            {
                answers.Add(new PresentationContextAnswer(pc.Id, PresentationContextResult.AbstractSyntaxNotSupported, string.Empty));
                contexts.Add(new NegotiatedPresentationContext(pc.Id, pc.AbstractSyntax, PresentationContextResult.AbstractSyntaxNotSupported, DicomTransferSyntax.ImplicitVRLittleEndian));
                continue;
            }

            // Our preference order decides among the syntaxes the requester offered.
            DicomTransferSyntax? chosen = accepted.FirstOrDefault(ts => pc.TransferSyntaxes.Contains(ts.Uid.Value, StringComparer.Ordinal));
            if (chosen is null)
            {
                answers.Add(new PresentationContextAnswer(pc.Id, PresentationContextResult.TransferSyntaxesNotSupported, string.Empty));
                contexts.Add(new NegotiatedPresentationContext(pc.Id, pc.AbstractSyntax, PresentationContextResult.TransferSyntaxesNotSupported, DicomTransferSyntax.ImplicitVRLittleEndian));
                continue;
            }

            bool requesterIsScu = true;
            bool requesterIsScp = false;
            if (policy.AcceptRoleSelection && roles.TryGetValue(pc.AbstractSyntax, out RoleSelection? proposed))
            {
                requesterIsScu = proposed.ScuRole;
                requesterIsScp = proposed.ScpRole;
            }

            answers.Add(new PresentationContextAnswer(pc.Id, PresentationContextResult.Acceptance, chosen.Uid.Value));
            contexts.Add(new NegotiatedPresentationContext(pc.Id, pc.AbstractSyntax, PresentationContextResult.Acceptance, chosen, requesterIsScu, requesterIsScp));
        }

        var acceptedRoles = policy.AcceptRoleSelection
            ? roles.Values.Where(r => contexts.Any(c => c.IsAccepted && c.AbstractSyntax == r.SopClassUid)).ToList()
            : [];
        var ac = new AssociateAcceptPdu
        {
            CalledAE = rq.CalledAE,
            CallingAE = rq.CallingAE,
            PresentationContexts = answers,
            UserInformation = new UserInformation
            {
                MaximumLength = options.Limits.MaxDataPduLength,
                ImplementationClassUid = options.ImplementationClassUid,
                ImplementationVersionName = options.ImplementationVersionName,
                RoleSelections = acceptedRoles,
                UserIdentityServerResponse = identityResponse,
            },
        };
        return (null, ac, contexts, authorization?.State);
    }

    private static IReadOnlyList<DicomTransferSyntax>? AcceptedSyntaxes(string abstractSyntax, AssociationAcceptancePolicy policy)
    {
        if (policy.AbstractSyntaxes.TryGetValue(abstractSyntax, out IReadOnlyList<DicomTransferSyntax>? syntaxes))
        {
            return syntaxes;
        }

        if (policy.AcceptAllStorage && DicomUids.Find(abstractSyntax) is { IsStorage: true })
        {
            return policy.StorageTransferSyntaxes;
        }

        return null;
    }

    // Pairs each answer with its proposal; an answer to nothing proposed, or choosing a syntax not offered, is a violation.
    private static IReadOnlyList<NegotiatedPresentationContext> MatchAnswers(AssociateRequestPdu rq, AssociateAcceptPdu ac)
    {
        Dictionary<byte, PresentationContextProposal> proposals = rq.PresentationContexts.ToDictionary(p => p.Id);

        // The acceptor's lists are peer input: duplicates are a violation (contexts) or ignored (roles, as in Negotiate).
        var roles = new Dictionary<string, RoleSelection>(StringComparer.Ordinal);
        foreach (RoleSelection role in ac.UserInformation.RoleSelections)
        {
            roles.TryAdd(role.SopClassUid, role);
        }

        var answered = new HashSet<byte>();
        var contexts = new List<NegotiatedPresentationContext>();
        foreach (PresentationContextAnswer answer in ac.PresentationContexts)
        {
            if (!proposals.TryGetValue(answer.Id, out PresentationContextProposal? proposal))
            {
                throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, $"the A-ASSOCIATE-AC answers presentation context {answer.Id}, which was not proposed");
            }

            if (!answered.Add(answer.Id))
            {
                throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, $"the A-ASSOCIATE-AC answers presentation context {answer.Id} twice");
            }

            if (answer.Result != PresentationContextResult.Acceptance)
            {
                contexts.Add(new NegotiatedPresentationContext(answer.Id, proposal.AbstractSyntax, answer.Result, DicomTransferSyntax.ImplicitVRLittleEndian));
                continue;
            }

            if (!proposal.TransferSyntaxes.Contains(answer.TransferSyntax, StringComparer.Ordinal) ||
                !DicomTransferSyntax.TryLookup(answer.TransferSyntax, out DicomTransferSyntax syntax))
            {
                throw new DicomProtocolException(AbortReason.InvalidPduParameterValue, $"the A-ASSOCIATE-AC accepts transfer syntax {answer.TransferSyntax} for context {answer.Id}, which was not offered");
            }

            bool scu = true;
            bool scp = false;
            if (roles.TryGetValue(proposal.AbstractSyntax, out RoleSelection? role))
            {
                scu = role.ScuRole;
                scp = role.ScpRole;
            }

            contexts.Add(new NegotiatedPresentationContext(answer.Id, proposal.AbstractSyntax, answer.Result, syntax, scu, scp));
        }

        return contexts;
    }

    private static async Task WaitForCloseAsync(PduChannel channel, AssociationOptions options)
    {
        // Sta13 after an A-ASSOCIATE-RJ: the requester closes; ARTIM bounds the wait.
        using var artim = new CancellationTokenSource(options.ArtimTimeout);
        try
        {
            while (await channel.ReadPduAsync(artim.Token).ConfigureAwait(false) is not null)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or DicomProtocolException)
        {
            // Closing is all that is left to do.
        }
    }

    private static async Task TryWriteAsync(PduChannel channel, Pdu pdu)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await channel.WritePduAsync(pdu, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort.
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Association {AssociationId}: {CallingAE} -> {CalledAE} established, {Accepted} of {Proposed} presentation contexts accepted")]
    private static partial void LogEstablished(ILogger logger, Guid associationId, string callingAE, string calledAE, int accepted, int proposed);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Association request {CallingAE} -> {CalledAE} from {RemoteEndPoint} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string callingAE, string calledAE, EndPoint? remoteEndPoint, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Connection from {RemoteEndPoint}: no A-ASSOCIATE-RQ within the ARTIM timeout")]
    private static partial void LogArtimExpired(ILogger logger, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Connection from {RemoteEndPoint}: malformed association request ({Reason}): {Detail}")]
    private static partial void LogMalformedRequest(ILogger logger, EndPoint? remoteEndPoint, AbortReason reason, string detail);
}
