using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Policy;
using Gateway.Policy.Analysis;
using Gateway.Policy.Model;

namespace Gateway.Cli.Policy;

/// <summary><c>gatewayctl policy explain</c>: the decision on one request, the rule, and why the nearest other rules did not match.</summary>
internal static class PolicyExplainCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var directory = PolicyCommands.DirectoryArgument();
        var callingAE = new Option<string?>("--calling-ae") { Description = "DIMSE: the calling AE title." };
        var address = new Option<string?>("--address") { Description = "The remote address." };
        var certFile = new Option<string?>("--cert") { Description = "The client certificate the requester presents (PEM or DER file)." };
        var calledAE = new Option<string?>("--called-ae") { Description = "DIMSE: the called AE title (names the service)." };
        var service = new Option<string?>("--service") { Description = "The service name (DICOMweb and admin; for DIMSE instead of --called-ae)." };
        var operation = new Option<string>("--operation") { Description = "echo, store, find, move, get, worklist, qido, wado, stow, or an admin operation.", Required = true };
        var sopClass = new Option<string?>("--sop-class") { Description = "SOP class UID or keyword (CTImageStorage); for find/move/get the information model." };
        var destination = new Option<string?>("--move-destination") { Description = "C-MOVE destination AE title." };
        var at = new Option<string?>("--at") { Description = "When (ISO 8601, default now; without offset: UTC)." };
        var size = new Option<long?>("--size") { Description = "Object size in bytes." };
        var client = new Option<string?>("--client") { Description = "DICOMweb/admin: the OAuth2 client id." };
        var user = new Option<string?>("--user") { Description = "DICOMweb/admin: the user id." };
        var roles = new Option<string[]>("--role") { Description = "DICOMweb/admin: a role claimed by the user's token (repeat for several)." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("explain", "Decide on one request and explain it: the decision, the rule, and why the nearest other rules did not match.")
        {
            directory, callingAE, address, certFile, calledAE, service, operation, sopClass, destination, at, size, client, user, roles, json,
        };
        command.SetAction((result, ct) => PolicyCommands.RunGuardedAsync(stderr, async () =>
        {
            if (!PolicyOperations.TryParse(result.GetValue(operation)!, out PolicyOperation op))
            {
                await stderr.WriteLineAsync(PolicyCommands.Sanitize($"error: unknown operation '{result.GetValue(operation)}' (echo, store, find, move, get, worklist, qido, wado, stow, policy-read ...)")).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            PolicyProtocol protocol = PolicyOperations.ProtocolOf(op);
            string? missing = protocol == PolicyProtocol.Dimse
                ? result.GetValue(callingAE) is null ? "--calling-ae" : result.GetValue(address) is null ? "--address" : result.GetValue(calledAE) is null && result.GetValue(service) is null ? "--called-ae or --service" : null
                : result.GetValue(service) is null ? "--service" : result.GetValue(client) is null ? "--client" : null;
            if (missing is not null)
            {
                await stderr.WriteLineAsync($"error: {PolicyOperations.Name(op)} needs {missing}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            PolicyEvaluator? evaluator = await PolicyCommands.LoadAsync(stderr, result.GetValue(directory)!).ConfigureAwait(false);
            if (evaluator is null)
            {
                return ExitCodes.BadInput;
            }

            var request = new PolicyRequest
            {
                Protocol = protocol,
                Operation = op,
                CallingAE = result.GetValue(callingAE),
                CalledAE = result.GetValue(calledAE),
                Service = result.GetValue(service),
                RemoteAddress = ParseAddress(result.GetValue(address)),
                Certificate = result.GetValue(certFile) is { } file ? ReadCertificate(file) : null,
                ClientId = result.GetValue(client),
                UserId = result.GetValue(user),
                Roles = result.GetValue(roles) is { Length: > 0 } r ? r : null,
                SopClassUid = SopClass(result.GetValue(sopClass)),
                MoveDestination = result.GetValue(destination),
                ObjectSize = result.GetValue(size),
                At = ParseTime(result.GetValue(at)),
            };
            PolicyExplanation explanation = PolicyExplainer.Explain(evaluator, request);
            await PolicyCommands.WriteTextAsync(stdout, result.GetValue(json) ? PolicyExplanationWriter.ToJson(explanation) : PolicyExplanationWriter.ToText(explanation)).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static IPAddress? ParseAddress(string? text) =>
        text is null ? null : IpNetwork.TryParseAddress(text, out IPAddress? address) ? address : throw new CliInputException($"--address '{text}' is not an IP address");

    private static DateTimeOffset ParseTime(string? text)
    {
        if (text is null)
        {
            return DateTimeOffset.UtcNow;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at)
            ? at
            : throw new CliInputException($"--at '{text}' is not an ISO 8601 date and time (2025-03-04T10:00:00+01:00)");
    }

    private static string? SopClass(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (SopClassCatalog.TryGetKeyword(text, out string uid))
        {
            return uid;
        }

        return new Gateway.Dicom.DicomUid(text).IsValid ? text : throw new CliInputException($"--sop-class '{text}' is neither a UID nor a SOP class keyword");
    }

    private static PolicyCertificate ReadCertificate(string file)
    {
        if (!File.Exists(file))
        {
            throw new CliInputException($"certificate file '{file}' does not exist");
        }

        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificateFromFile(file);
            return PolicyCertificate.FromCertificate(certificate);
        }
        catch (CryptographicException ex)
        {
            throw new CliInputException($"'{file}' is not a PEM or DER certificate: {ex.Message}");
        }
    }
}
