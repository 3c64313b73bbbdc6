using Gateway.Identity.Auditing;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Gateway.Identity.Server;

/// <summary>
/// Audits every error OpenIddict answers at the token endpoint (wrong client secret, unknown client, wrong PKCE verifier,
/// a replayed or expired code...) as a failed Login, with the client id the request claimed and the OAuth2 error code.
/// </summary>
/// <remarks>Never records the secret, code or verifier. A failure that cannot be audited is logged; the refusal stands.</remarks>
internal sealed partial class ErrorAuditHandler(IIdentityAuditor auditor, TimeProvider time, ILogger<ErrorAuditHandler> logger) : IOpenIddictServerHandler<ProcessErrorContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessErrorContext>()
        .UseSingletonHandler<ErrorAuditHandler>()
        .SetOrder(int.MinValue + 50_000)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ProcessErrorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType != OpenIddictServerEndpointType.Token)
        {
            return;
        }

        HttpRequest? http = context.Transaction.GetHttpRequest();
        string? clientId = context.Request?.ClientId;
        bool codeGrant = context.Request?.IsAuthorizationCodeGrantType() == true;
        try
        {
            await auditor.RecordAsync(new IdentityAuditEvent
            {
                Kind = IdentityAuditKind.Login,
                Method = codeGrant ? IdentityMethod.AuthorizationCode : IdentityMethod.ClientCredentials,
                Succeeded = false,
                Subject = IdentityNames.IsValidId(clientId) ? clientId! : "(none)",
                SubjectIsClient = true,
                RemoteAddress = http?.HttpContext.Connection.RemoteIpAddress?.ToString(),
                FailureReason = context.Error ?? "error",
                Time = time.GetUtcNow(),
            }, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "A refused token request could not be written to the audit log")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception);
}
