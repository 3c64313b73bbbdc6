using System.Text;
using Gateway.Audit;
using Gateway.Audit.Records;
using Gateway.Policy;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Host.DicomWeb;

/// <summary>
/// QIDO-RS and WADO-RS through the gateway: the path must be a DICOMweb resource (nothing else is forwarded), the policy
/// decides from the caller's token, and the access is written to the audit log (Query; DICOM Instances Accessed with
/// the study) while the request is forwarded to the PACS with YARP. Nothing of the PACS's answer reaches the caller
/// before the record is durable: the response waits for it before its first header is copied, and is dropped (503) if
/// the log cannot take it. The response is then streamed back unbuffered. The caller's token and cookies never reach the
/// PACS.
/// </summary>
public sealed partial class DicomWebProxy(
    IHttpForwarder forwarder,
    DicomWebOrigin origin,
    Policy.GatewayPolicy policy,
    Audit.GatewayAudit audit,
    IOptions<DicomWebOptions> options,
    ILogger<DicomWebProxy> logger)
{
    // Study Root Query/Retrieve Information Model - FIND: the query's SOP class in the audit record (PS3.15 A.5.3.12).
    private const string StudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";

    /// <summary>Serves one search or retrieve request below the DICOMweb root.</summary>
    public async Task HandleAsync(HttpContext context, string? path, DicomWebResource resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        DicomWebCaller caller = DicomWebCaller.From(context);
        PolicyOperation operation = resource.Action == DicomWebAction.Search ? PolicyOperation.Qido : PolicyOperation.Wado;
        PolicyDecision decision = policy.CheckWeb(caller, options.Value.Service, operation);
        if (!decision.IsAllowed)
        {
            await DicomWebResults.ProblemAsync(context, StatusCodes.Status403Forbidden, "refused by policy: " + PolicyReasons.Code(decision.Reason)).ConfigureAwait(false);
            return;
        }

        Uri? root = origin.Root;
        if (root is null)
        {
            await DicomWebResults.ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "no DICOMweb origin is configured").ConfigureAwait(false);
            return;
        }

        // Recorded while the PACS works on the request; nothing of its answer is disclosed until the record is durable.
        Task audited = RecordAsync(context, path, resource, caller, decision);
        var transformer = new Transformer(root, path ?? string.Empty, audited);
        var config = new ForwarderRequestConfig { ActivityTimeout = origin.ActivityTimeout };
        ForwarderError error = await forwarder.SendAsync(context, root.AbsoluteUri, origin.Client, config, transformer).ConfigureAwait(false);
        try
        {
            // Also when the PACS failed before answering: the record was still wanted, and its failure must be seen.
            await audited.ConfigureAwait(false);
        }
        catch (AuditLogException ex)
        {
            LogAuditFailed(logger, ex);
            if (!context.Response.HasStarted)
            {
                await DicomWebResults.ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "the audit log cannot record the request").ConfigureAwait(false);
            }

            return;
        }

        if (error != ForwarderError.None)
        {
            Exception? cause = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            LogForwardFailed(logger, error, cause?.GetType().Name ?? "none");
        }
    }

    [LoggerMessage(EventId = 2516, Level = LogLevel.Error, Message = "DICOMweb request refused because the audit log refused its record")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception);

    private Task RecordAsync(HttpContext context, string? path, DicomWebResource resource, DicomWebCaller caller, PolicyDecision decision)
    {
        if (resource.Action == DicomWebAction.Search)
        {
            byte[] query = Encoding.UTF8.GetBytes(path + context.Request.QueryString.Value);
            List<AuditParticipantObject> objects = [AuditRecords.QueryObject(StudyRootFind, query)];
            if (resource.Study is { } study)
            {
                objects.Add(AuditRecords.Study(study));
            }

            return audit.RecordWebAsync(AuditEventId.Query, AuditEventAction.Execute, AuditEventOutcome.Success, caller, decision, objects, cancellationToken: context.RequestAborted).AsTask();
        }

        return audit.RecordWebAsync(AuditEventId.DicomInstancesAccessed, AuditEventAction.Read, AuditEventOutcome.Success, caller, decision, [AuditRecords.Study(resource.Study!)], cancellationToken: context.RequestAborted).AsTask();
    }

    [LoggerMessage(EventId = 2517, Level = LogLevel.Warning, Message = "DICOMweb request to the origin failed: {Error} ({Cause})")]
    private static partial void LogForwardFailed(ILogger logger, ForwarderError error, string cause);

    /// <summary>
    /// Rewrites the request for the origin (its path, no credentials, a <c>Forwarded</c> header for its URLs), and holds
    /// the origin's response until <paramref name="audited"/> completes: if the record failed, the response is not
    /// passed on at all.
    /// </summary>
    internal sealed class Transformer(Uri root, string path, Task audited) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.RequestUri = new Uri(root, path + httpContext.Request.QueryString.Value);
            proxyRequest.Headers.Authorization = null;
            proxyRequest.Headers.Remove("Cookie");
            proxyRequest.Headers.Remove("Forwarded");
            proxyRequest.Headers.Remove("X-Forwarded-For");
            proxyRequest.Headers.Remove("X-Forwarded-Host");
            proxyRequest.Headers.Remove("X-Forwarded-Proto");
            proxyRequest.Headers.Host = null;

            // The origin builds its RetrieveURL and BulkDataURI values from this (RFC 7239), so they point back here. The
            // host is sent unquoted: Orthanc takes a quoted value with its quotes (https://"host:port"/...). The
            // X-Forwarded pair says the same to origins that read only those.
            string host = httpContext.Request.Host.Value ?? string.Empty;
            proxyRequest.Headers.TryAddWithoutValidation("Forwarded", $"proto={httpContext.Request.Scheme};host={host}");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Host", host);
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            try
            {
                await audited.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Not a header, not a byte: the caller decides what to answer once the forwarder returns (it sees the failure).
                return false;
            }

            bool result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
            httpContext.Response.Headers.Remove("Set-Cookie");
            httpContext.Response.Headers.Remove("Server");
            return result;
        }
    }
}
