using System.Collections.Immutable;
using System.Security.Claims;
using Gateway.Identity.Accounts;
using Gateway.Identity.Auditing;
using Gateway.Identity.Clients;
using Gateway.Identity.Validation;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Gateway.Identity.Server;

/// <summary>
/// The endpoints OpenIddict passes through to the gateway: authorization (after the login page), token (client
/// credentials and authorization code), end-session, and the login page itself.
/// </summary>
/// <remarks>
/// OpenIddict has validated the protocol (client, secret, redirect URI, PKCE, code) before these run; they decide who the
/// token is for and which roles it carries, and audit it. A successful login or token whose audit record cannot be
/// written is refused (fail closed).
/// </remarks>
internal static partial class IdentityEndpoints
{
    private const int MaxLoginFormBytes = 8 * 1024;
    private const string GenericLoginFailure = "Wrong user name or password, or the account is locked or disabled.";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(GatewayIdentityDefaults.AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).DisableAntiforgery();
        endpoints.MapPost(GatewayIdentityDefaults.TokenPath, TokenAsync).DisableAntiforgery();
        endpoints.MapMethods(GatewayIdentityDefaults.LogoutPath, [HttpMethods.Get, HttpMethods.Post], LogoutAsync).DisableAntiforgery();
        endpoints.MapGet(GatewayIdentityDefaults.LoginPath, LoginFormAsync);

        // Anti-forgery is checked by hand (after the size limit), not by the middleware, which the host may not use.
        endpoints.MapPost(GatewayIdentityDefaults.LoginPath, LoginAsync).DisableAntiforgery();
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext http, UserAccounts accounts, PolicyRoleFilter roles, GatewayIdentityOptions options)
    {
        OpenIddictRequest request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenIddict authorization request");
        AuthenticateResult login = await http.AuthenticateAsync(GatewayIdentityDefaults.LoginScheme).ConfigureAwait(false);
        if (!login.Succeeded || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "the user is not logged in");
            }

            // Back to this request after the login, without prompt=login (else it would ask again forever).
            QueryString query = QueryString.Create(request.GetParameters()
                .Where(p => p.Key != Parameters.Prompt)
                .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())));
            string returnUrl = GatewayIdentityDefaults.AuthorizePath + query.ToUriComponent();
            return Results.Redirect(http.Request.PathBase + GatewayIdentityDefaults.LoginPath + QueryString.Create("returnUrl", returnUrl).ToUriComponent());
        }

        string userId = login.Principal!.FindFirstValue(Claims.Subject) ?? string.Empty;
        IReadOnlyList<string>? userRoles = await accounts.FindActiveRolesAsync(userId, http.RequestAborted).ConfigureAwait(false);
        if (userRoles is null)
        {
            await http.SignOutAsync(GatewayIdentityDefaults.LoginScheme).ConfigureAwait(false);
            return Forbid(Errors.AccessDenied, "the account is disabled or removed");
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        identity.SetClaim(Claims.Subject, userId);
        identity.SetClaims(Claims.Role, [.. roles.Filter(userRoles)]);
        identity.SetScopes(request.GetScopes().Intersect([Scopes.OpenId, Scopes.Roles], StringComparer.Ordinal));
        identity.SetResources(options.Audience);
        identity.SetDestinations(Destinations);
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> TokenAsync(HttpContext http, UserAccounts accounts, PolicyRoleFilter roles, GatewayIdentityOptions options, IIdentityAuditor auditor, TimeProvider time, ILoggerFactory loggers)
    {
        OpenIddictRequest request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenIddict token request");
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        IdentityAuditEvent auditEvent;
        if (request.IsClientCredentialsGrantType())
        {
            ClientRegistry clients = http.RequestServices.GetRequiredService<ClientRegistry>();
            IOpenIddictApplicationManager applications = http.RequestServices.GetRequiredService<IOpenIddictApplicationManager>();
            object application = await applications.FindByClientIdAsync(request.ClientId!, http.RequestAborted).ConfigureAwait(false)
                ?? throw new InvalidOperationException("OpenIddict authenticated a client it cannot find");
            identity.SetClaim(Claims.Subject, request.ClientId);
            identity.SetClaims(Claims.Role, [.. roles.Filter(await clients.GetRolesAsync(application, http.RequestAborted).ConfigureAwait(false))]);
            identity.SetScopes(request.GetScopes().Intersect([Scopes.Roles], StringComparer.Ordinal));
            auditEvent = Event(IdentityMethod.ClientCredentials, request.ClientId!, isClient: true, request.ClientId, http, time);
        }
        else if (request.IsAuthorizationCodeGrantType())
        {
            AuthenticateResult code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false);
            string userId = code.Principal?.GetClaim(Claims.Subject) ?? string.Empty;
            IReadOnlyList<string>? userRoles = await accounts.FindActiveRolesAsync(userId, http.RequestAborted).ConfigureAwait(false);
            if (userRoles is null)
            {
                await RecordFailureAsync(auditor, Event(IdentityMethod.AuthorizationCode, userId, isClient: false, request.ClientId, http, time) with { Succeeded = false, FailureReason = "account-disabled" }, loggers).ConfigureAwait(false);
                return Forbid(Errors.InvalidGrant, "the account is disabled or removed");
            }

            identity.SetClaim(Claims.Subject, userId);
            identity.SetClaims(Claims.Role, [.. roles.Filter(userRoles)]);
            identity.SetScopes(code.Principal!.GetScopes());
            auditEvent = Event(IdentityMethod.AuthorizationCode, userId, isClient: false, request.ClientId, http, time);
        }
        else
        {
            return Forbid(Errors.UnsupportedGrantType, "only client_credentials and authorization_code are served");
        }

        identity.SetResources(options.Audience);
        identity.SetDestinations(Destinations);
        try
        {
            await auditor.RecordAsync(auditEvent, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditFailed(loggers.CreateLogger(typeof(IdentityEndpoints)), ex);
            return AuditUnavailable();
        }

        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, IIdentityAuditor auditor, TimeProvider time, ILoggerFactory loggers)
    {
        AuthenticateResult login = await http.AuthenticateAsync(GatewayIdentityDefaults.LoginScheme).ConfigureAwait(false);
        await http.SignOutAsync(GatewayIdentityDefaults.LoginScheme).ConfigureAwait(false);
        if (login.Succeeded && login.Principal!.FindFirstValue(Claims.Subject) is { } userId)
        {
            var auditEvent = Event(IdentityMethod.EndSession, userId, isClient: false, http.GetOpenIddictServerRequest()?.ClientId, http, time) with { Kind = IdentityAuditKind.Logout };
            await RecordFailureAsync(auditor, auditEvent, loggers).ConfigureAwait(false);
        }

        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static async Task LoginFormAsync(HttpContext http, IAntiforgery antiforgery, string? returnUrl)
    {
        if (!LoginPage.IsSafeReturnUrl(returnUrl))
        {
            await BadRequestAsync(http, "The login page is reached from an application's sign-in, not directly.").ConfigureAwait(false);
            return;
        }

        AntiforgeryTokenSet tokens = antiforgery.GetAndStoreTokens(http);
        await LoginPage.WriteAsync(http, returnUrl!, tokens.FormFieldName, tokens.RequestToken!, username: null, message: null, StatusCodes.Status200OK).ConfigureAwait(false);
    }

    private static async Task LoginAsync(HttpContext http, IAntiforgery antiforgery, UserAccounts accounts, IIdentityAuditor auditor, GatewayIdentityOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        // Limits before the body is read: a login form is small.
        if (http.Request.ContentLength is null or > MaxLoginFormBytes || !http.Request.HasFormContentType)
        {
            await BadRequestAsync(http, "The login form is malformed.", StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
            return;
        }

        IFormCollection form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
        {
            await BadRequestAsync(http, "The login form has expired or did not come from this page; go back and try again.").ConfigureAwait(false);
            return;
        }

        string returnUrl = form["returnUrl"].ToString();
        string username = form["username"].ToString();
        string password = form["password"].ToString();
        if (!LoginPage.IsSafeReturnUrl(returnUrl))
        {
            await BadRequestAsync(http, "The login page is reached from an application's sign-in, not directly.").ConfigureAwait(false);
            return;
        }

        PasswordCheckResult check = await accounts.CheckPasswordAsync(username, password, http.RequestAborted).ConfigureAwait(false);
        string subject = check.UserId.Length > 0 ? check.UserId : "(none)";
        IdentityAuditEvent auditEvent = Event(IdentityMethod.LoginPage, subject, isClient: false, clientId: null, http, time);
        if (!check.Succeeded)
        {
            string reason = check.Outcome switch
            {
                PasswordCheckOutcome.LockedOut => IdentityFailures.Code(IdentityFailure.LockedOut),
                PasswordCheckOutcome.Disabled => IdentityFailures.Code(IdentityFailure.Disabled),
                PasswordCheckOutcome.UnknownUser => "unknown-user",
                _ => IdentityFailures.Code(IdentityFailure.InvalidCredentials),
            };
            await RecordFailureAsync(auditor, auditEvent with { Succeeded = false, FailureReason = reason }, loggers).ConfigureAwait(false);
            AntiforgeryTokenSet tokens = antiforgery.GetAndStoreTokens(http);
            await LoginPage.WriteAsync(http, returnUrl, tokens.FormFieldName, tokens.RequestToken!, username.Length <= 64 ? username : null, GenericLoginFailure, StatusCodes.Status401Unauthorized).ConfigureAwait(false);
            return;
        }

        try
        {
            await auditor.RecordAsync(auditEvent, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditFailed(loggers.CreateLogger(typeof(IdentityEndpoints)), ex);
            await AuditUnavailable().ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        var identity = new ClaimsIdentity(GatewayIdentityDefaults.LoginScheme, Claims.Subject, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, check.UserId));
        await http.SignInAsync(GatewayIdentityDefaults.LoginScheme, new ClaimsPrincipal(identity), new AuthenticationProperties
        {
            IsPersistent = false,
            IssuedUtc = time.GetUtcNow(),
            ExpiresUtc = time.GetUtcNow() + options.LoginSessionLifetime,
            AllowRefresh = false,
        }).ConfigureAwait(false);
        http.Response.Redirect(returnUrl);
    }

    private static IEnumerable<string> Destinations(Claim claim) => claim.Type switch
    {
        Claims.Subject => [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        Claims.Role when claim.Subject?.HasScope(Scopes.Roles) == true => [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        Claims.Role => [OpenIddictConstants.Destinations.AccessToken],
        _ => [],
    };

    private static IdentityAuditEvent Event(IdentityMethod method, string subject, bool isClient, string? clientId, HttpContext http, TimeProvider time) => new()
    {
        Kind = IdentityAuditKind.Login,
        Method = method,
        Succeeded = true,
        Subject = subject,
        SubjectIsClient = isClient,
        ClientId = clientId,
        RemoteAddress = http.Connection.RemoteIpAddress?.ToString(),
        Time = time.GetUtcNow(),
    };

    private static async Task RecordFailureAsync(IIdentityAuditor auditor, IdentityAuditEvent auditEvent, ILoggerFactory loggers)
    {
        try
        {
            await auditor.RecordAsync(auditEvent).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditFailed(loggers.CreateLogger(typeof(IdentityEndpoints)), ex);
        }
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static IResult AuditUnavailable() =>
        Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The audit log cannot record this login; it is refused.");

    private static async Task BadRequestAsync(HttpContext http, string message, int statusCode = StatusCodes.Status400BadRequest)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "text/plain; charset=utf-8";
        LoginPage.SetSecurityHeaders(http.Response);
        await http.Response.WriteAsync(message, http.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 7103, Level = LogLevel.Error, Message = "An identity event could not be written to the audit log")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception);
}
