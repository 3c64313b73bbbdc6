using System.Text.Json;
using Gateway.Archive;
using Gateway.Audit;
using Gateway.Audit.Records;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.DicomWeb;
using Gateway.DicomWeb.Multipart;
using Gateway.DicomWeb.Stow;
using Gateway.Host.Archive;
using Gateway.Host.Configuration;
using Gateway.Policy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Host.DicomWeb;

/// <summary>
/// STOW-RS (PS3.18 10.5) into the gateway: each part of a <c>multipart/related; type="application/dicom"</c> body is a
/// Part 10 instance that the policy decides on by itself (caller, SOP Class), that is written to the encrypted archive
/// with one outbox item per <c>Gateway:Routing:ForwardTo</c> destination, and whose Import record is in the audit log
/// before the instance counts as stored, exactly as a device's C-STORE. The response lists every instance with its
/// outcome; nothing is forwarded to the DICOMweb origin directly, so an acknowledged instance survives a PACS outage.
/// </summary>
/// <remarks>
/// Parts are streamed: the body is never held in memory or written to disk in plaintext. A malformed multipart body
/// ends the request with 400 (the instances of its whole parts before the fault stay stored: they were complete, and a
/// resend is a duplicate the archive recognises).
/// </remarks>
public sealed partial class DicomWebStore(
    IInstanceArchive archive,
    Policy.GatewayPolicy policy,
    Audit.GatewayAudit audit,
    ForwarderSignal signal,
    LiveTraffic traffic,
    IOptions<DicomWebOptions> options,
    IOptions<GatewayOptions> gateway,
    ILogger<DicomWebStore> logger)
{
    private const string DicomMediaType = "application/dicom";
    private const string DicomXmlMediaType = "application/dicom+xml";
    private const string DicomJsonMediaType = "application/dicom+json";

    /// <summary>Serves one STOW-RS request (<c>POST /studies</c> or <c>POST /studies/{study}</c>).</summary>
    public async Task HandleAsync(HttpContext context, DicomWebResource resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        DicomWebOptions settings = options.Value;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = settings.MaxStowRequestBytes;
        }

        MultipartReader reader;
        try
        {
            reader = MultipartReader.Create(context.Request.Body, context.Request.ContentType, new MultipartReaderOptions
            {
                AcceptedPartTypes = [DicomMediaType],
                MaxBodyBytes = settings.MaxStowRequestBytes,
                MaxPartBytes = settings.MaxStowInstanceBytes,
                MaxParts = settings.MaxStowInstances,
            });
        }
        catch (MultipartException ex)
        {
            await DicomWebResults.ProblemAsync(context, ex.StatusCode, ex.Detail).ConfigureAwait(false);
            return;
        }

        DicomWebCaller caller = DicomWebCaller.From(context);
        string root = $"{context.Request.Scheme}://{context.Request.Host.Value}{DicomWebEndpoints.PathBase}";
        var response = new StowResponse(resource.Study is { } target ? $"{root}/studies/{target}" : null);
        var queued = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int stored = 0;
        try
        {
            while (await reader.ReadNextPartAsync(context.RequestAborted).ConfigureAwait(false) is { } part)
            {
                StowInstanceResult result = await StoreAsync(part.Body, caller, resource.Study, root, queued, context.RequestAborted).ConfigureAwait(false);
                response.Add(result);
                stored += result.IsStored ? 1 : 0;
                if (result.FailureReason == StowFailureReason.ProcessingFailure)
                {
                    // Only an audit log that refuses records fails this way: nothing more can be taken in.
                    break;
                }
            }
        }
        catch (MultipartException ex)
        {
            LogMalformed(logger, caller.Principal, ex.Reason, ex.PartIndex, stored);
            await DicomWebResults.ProblemAsync(context, ex.StatusCode, ex.Detail).ConfigureAwait(false);
            return;
        }
        finally
        {
            if (queued.Count > 0)
            {
                signal.Notify(queued);
            }
        }

        LogStored(logger, caller.Principal, stored, response.Results.Count);
        context.Response.StatusCode = response.StatusCode;
        if (WantsXml(context.Request))
        {
            context.Response.ContentType = DicomXmlMediaType;
            await response.WriteXmlAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            context.Response.ContentType = DicomJsonMediaType;
            await using var json = new Utf8JsonWriter(context.Response.Body);
            await response.WriteJsonAsync(json, context.RequestAborted).ConfigureAwait(false);
            await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    // One part: its meta information, the policy for its SOP Class, the archive, the audit record. A part that fails is
    // read to its end by the multipart reader before the next one.
    private async Task<StowInstanceResult> StoreAsync(Stream body, DicomWebCaller caller, string? study, string root, HashSet<string> queued, CancellationToken cancellationToken)
    {
        DicomPart10Header header;
        try
        {
            header = await DicomPart10Header.ReadAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (DicomFormatException ex)
        {
            LogUnreadable(logger, caller.Principal, ex.Reason);
            return StowInstanceResult.Failed(null, null, StowFailureReason.CannotUnderstand);
        }

        string? sopClass = header.SopClassUid;
        string? sopInstance = header.SopInstanceUid;
        if (sopClass is null || sopInstance is null || !new DicomUid(sopClass).IsValid || !new DicomUid(sopInstance).IsValid)
        {
            return StowInstanceResult.Failed(sopClass, sopInstance, StowFailureReason.CannotUnderstand);
        }

        using IDisposable live = traffic.BeginStore();
        PolicyDecision decision = policy.CheckWeb(caller, options.Value.Service, PolicyOperation.Stow, sopClass);
        if (!decision.IsAllowed)
        {
            return StowInstanceResult.Failed(sopClass, sopInstance, StowFailureReason.NotAuthorized);
        }

        var request = new ArchiveStoreRequest
        {
            SopClassUid = sopClass,
            SopInstanceUid = sopInstance,
            TransferSyntax = header.TransferSyntax,
            CallingAE = gateway.Value.AETitle,
            Destinations = gateway.Value.Routing.ForwardTo,
            ExpectedStudyInstanceUid = study,
        };

        ArchiveStoreResult result;
        try
        {
            result = await archive.StoreAsync(request, header.DataSet, cancellationToken).ConfigureAwait(false);
        }
        catch (ArchiveFullException)
        {
            return StowInstanceResult.Failed(sopClass, sopInstance, StowFailureReason.OutOfResources);
        }
        catch (ArchiveRejectedException ex)
        {
            return StowInstanceResult.Failed(sopClass, sopInstance, ex.Reason switch
            {
                ArchiveRejectReason.IdentifierMismatch or ArchiveRejectReason.StudyMismatch => StowFailureReason.DatasetDoesNotMatchSopClass,
                _ => StowFailureReason.CannotUnderstand,
            });
        }
        catch (DicomFormatException)
        {
            return StowInstanceResult.Failed(sopClass, sopInstance, StowFailureReason.CannotUnderstand);
        }

        queued.UnionWith(result.QueuedDestinations);

        // Stored means on record too: an instance the audit log cannot record is not reported stored.
        try
        {
            await audit.RecordWebAsync(
                AuditEventId.Import,
                AuditEventAction.Create,
                AuditEventOutcome.Success,
                caller,
                decision,
                [AuditRecords.Study(result.StudyInstanceUid, [new AuditSopClass(sopClass, 1)]), .. Audit.AuditPatients.Of(result.PatientId)],
                result.Outcome.ToString(),
                cancellationToken).ConfigureAwait(false);
        }
        catch (AuditLogException ex)
        {
            LogAuditFailed(logger, ex);
            return StowInstanceResult.Failed(sopClass, sopInstance, StowFailureReason.ProcessingFailure);
        }

        string url = $"{root}/studies/{result.StudyInstanceUid}/series/{result.SeriesInstanceUid}/instances/{sopInstance}";
        return StowInstanceResult.Stored(sopClass, sopInstance, url);
    }

    // application/dicom+xml when the caller asks for it and not for JSON; DICOM JSON otherwise (PS3.18 10.5.3).
    private static bool WantsXml(HttpRequest request)
    {
        string accept = request.Headers.Accept.ToString();
        return accept.Contains(DicomXmlMediaType, StringComparison.OrdinalIgnoreCase)
            && !accept.Contains(DicomJsonMediaType, StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(EventId = 2511, Level = LogLevel.Information, Message = "STOW-RS by {Principal}: {Stored} of {Parts} instances stored")]
    private static partial void LogStored(ILogger logger, string principal, int stored, int parts);

    [LoggerMessage(EventId = 2512, Level = LogLevel.Warning, Message = "STOW-RS by {Principal}: malformed multipart body ({Reason}) at part {Part}; {Stored} instances before it stay stored")]
    private static partial void LogMalformed(ILogger logger, string principal, MultipartError reason, int part, int stored);

    [LoggerMessage(EventId = 2513, Level = LogLevel.Warning, Message = "STOW-RS by {Principal}: a part is not a readable DICOM Part 10 file ({Reason})")]
    private static partial void LogUnreadable(ILogger logger, string principal, DicomFormatError reason);

    [LoggerMessage(EventId = 2514, Level = LogLevel.Error, Message = "STOW-RS instance refused because the audit log refused its record")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception);
}
