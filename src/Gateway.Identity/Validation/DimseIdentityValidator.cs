using System.Text;
using Gateway.Dicom.Network.Pdus;
using Gateway.Identity.Accounts;
using Gateway.Identity.Auditing;
using Gateway.Identity.Clients;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Identity.Validation;

/// <summary>
/// Validates the user identity of a DIMSE A-ASSOCIATE-RQ (PS3.7 D.3.3.7): a JWT (type 5) with the same rules as HTTP
/// bearer tokens, or a username and passcode (type 2) against the local accounts (with their lockout) and, when no
/// account has that name, against the confidential clients' secrets. Every attempt is audited as a Login.
/// </summary>
/// <remarks>
/// A bare username (type 1) proves nothing and is refused, as are Kerberos (3) and SAML (4), which the gateway does not
/// verify. Field sizes are checked before decoding: a token at most 16 KiB, a username 256 bytes, a passcode 1 KiB; text
/// must be valid UTF-8. A successful identity whose audit record cannot be written is refused (fail closed).
/// </remarks>
public sealed partial class DimseIdentityValidator(
    GatewayTokenValidator tokens,
    UserAccounts accounts,
    IServiceScopeFactory scopes,
    IIdentityAuditor auditor,
    TimeProvider time,
    ILogger<DimseIdentityValidator> logger)
{
    private const int MaxUsernameBytes = 256;
    private const int MaxPasscodeBytes = 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Validates a user identity sub-item's fields.</summary>
    /// <param name="userIdentityType">The User-Identity-Type.</param>
    /// <param name="primary">The Primary-field (username or token).</param>
    /// <param name="secondary">The Secondary-field (passcode for type 2, else empty).</param>
    /// <param name="context">The association, for the audit record.</param>
    /// <param name="cancellationToken">Cancels the wait (an audit record already queued may still be written).</param>
    public async ValueTask<IdentityResult> ValidateAsync(
        UserIdentityType userIdentityType,
        ReadOnlyMemory<byte> primary,
        ReadOnlyMemory<byte> secondary,
        DimseIdentityContext? context = null,
        CancellationToken cancellationToken = default)
    {
        (IdentityResult result, IdentityMethod method, string claimed) = userIdentityType switch
        {
            UserIdentityType.Jwt => await ValidateJwtAsync(primary, cancellationToken).ConfigureAwait(false),
            UserIdentityType.UsernameAndPasscode => await ValidatePasscodeAsync(primary, secondary, cancellationToken).ConfigureAwait(false),
            // A bare username proves nothing; a Kerberos ticket or SAML assertion is a credential and never audited.
            UserIdentityType.Username => (IdentityResult.Fail(IdentityFailure.UnsupportedIdentityType), IdentityMethod.DimseOther, Printable(primary)),
            _ => (IdentityResult.Fail(IdentityFailure.UnsupportedIdentityType), IdentityMethod.DimseOther, "(none)"),
        };

        var auditEvent = new IdentityAuditEvent
        {
            Kind = IdentityAuditKind.Login,
            Method = method,
            Succeeded = result.Succeeded,
            Subject = result.Subject ?? claimed,
            SubjectIsClient = result.IsClient,
            ClientId = result.ClientId,
            RemoteAddress = context?.RemoteAddress,
            CallingAE = context?.CallingAE,
            AssociationId = context?.AssociationId,
            FailureReason = result.Succeeded ? null : IdentityFailures.Code(result.Failure),
            Time = time.GetUtcNow(),
        };
        try
        {
            await auditor.RecordAsync(auditEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditFailed(logger, ex);
            if (result.Succeeded)
            {
                throw;
            }
        }

        return result;
    }

    /// <summary>Validates the user identity of an A-ASSOCIATE-RQ.</summary>
    public ValueTask<IdentityResult> ValidateAsync(UserIdentityRequest request, DimseIdentityContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ValidateAsync(request.IdentityType, request.PrimaryField, request.SecondaryField, context, cancellationToken);
    }

    private async ValueTask<(IdentityResult, IdentityMethod, string)> ValidateJwtAsync(ReadOnlyMemory<byte> primary, CancellationToken cancellationToken)
    {
        if (primary.Length > GatewayTokenValidator.MaxTokenLength)
        {
            return (IdentityResult.Fail(IdentityFailure.TooLarge), IdentityMethod.DimseJwt, "(token)");
        }

        if (!TryDecode(primary, out string token))
        {
            return (IdentityResult.Fail(IdentityFailure.Malformed), IdentityMethod.DimseJwt, "(token)");
        }

        return (await tokens.ValidateAsync(token, cancellationToken).ConfigureAwait(false), IdentityMethod.DimseJwt, "(token)");
    }

    private async ValueTask<(IdentityResult, IdentityMethod, string)> ValidatePasscodeAsync(ReadOnlyMemory<byte> primary, ReadOnlyMemory<byte> secondary, CancellationToken cancellationToken)
    {
        if (primary.Length > MaxUsernameBytes || secondary.Length > MaxPasscodeBytes)
        {
            return (IdentityResult.Fail(IdentityFailure.TooLarge), IdentityMethod.DimsePasscode, "(too long)");
        }

        if (!TryDecode(primary, out string username) || !TryDecode(secondary, out string passcode) || username.Length == 0 || passcode.Length == 0)
        {
            return (IdentityResult.Fail(IdentityFailure.Malformed), IdentityMethod.DimsePasscode, Printable(primary));
        }

        string claimed = username.Trim().ToLowerInvariant();
        PasswordCheckResult check = await accounts.CheckPasswordAsync(username, passcode, cancellationToken).ConfigureAwait(false);
        switch (check.Outcome)
        {
            case PasswordCheckOutcome.Succeeded:
                return (new IdentityResult { Subject = check.UserId, Roles = check.Roles }, IdentityMethod.DimsePasscode, claimed);
            case PasswordCheckOutcome.LockedOut:
                return (IdentityResult.Fail(IdentityFailure.LockedOut), IdentityMethod.DimsePasscode, claimed);
            case PasswordCheckOutcome.Disabled:
                return (IdentityResult.Fail(IdentityFailure.Disabled), IdentityMethod.DimsePasscode, claimed);
            case PasswordCheckOutcome.UnknownUser:
                break;
            default:
                return (IdentityResult.Fail(IdentityFailure.InvalidCredentials), IdentityMethod.DimsePasscode, claimed);
        }

        // No account of that name: a service may present its client id and secret instead.
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        ClientRegistry clients = scope.ServiceProvider.GetRequiredService<ClientRegistry>();
        if (await clients.ValidateSecretAsync(username, passcode, cancellationToken).ConfigureAwait(false)
            && await clients.FindAsync(username, cancellationToken).ConfigureAwait(false) is { } client)
        {
            return (new IdentityResult { Subject = client.ClientId, ClientId = client.ClientId, IsClient = true, Roles = client.Roles }, IdentityMethod.DimsePasscode, claimed);
        }

        return (IdentityResult.Fail(IdentityFailure.InvalidCredentials), IdentityMethod.DimsePasscode, claimed);
    }

    private static bool TryDecode(ReadOnlyMemory<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes.Span);
            return !text.Any(char.IsControl);
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static string Printable(ReadOnlyMemory<byte> primary) =>
        primary.Length <= MaxUsernameBytes && TryDecode(primary, out string text) && text.Length > 0 ? text : "(none)";

    [LoggerMessage(EventId = 7101, Level = LogLevel.Error, Message = "A DIMSE user identity check could not be written to the audit log")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception);
}
