using Gateway.Host;
using Microsoft.Extensions.Options;

// --help and --version answer and exit without starting anything.
if (GatewayCommandLine.TryHandle(args, Console.Out))
{
    return 0;
}

// A configuration or start-up error (a port in use, an invalid setting, unreadable TLS files) ends the process with
// one clear line and exit code 1; the details are in the log.
try
{
    WebApplication app = GatewayApplication.Build(args);
    await app.RunAsync().ConfigureAwait(false);

    // 0 after a normal stop; Audit.FailStopAuditLog sets 75 when the gateway stopped because its audit log failed.
    return Environment.ExitCode;
}
catch (OperationCanceledException)
{
    // SIGTERM (systemd, an operator's Ctrl+C) while the host was still starting cancels the start: that is a stop like
    // any other, not a crash (it was an unhandled exception and exit code 134).
    await Console.Error.WriteLineAsync("gateway: stopped before it had finished starting").ConfigureAwait(false);
    return Environment.ExitCode;
}
catch (Exception ex) when (ex is GatewayStartupException or OptionsValidationException or InvalidOperationException or IOException or ArgumentException)
{
    await Console.Error.WriteLineAsync("gateway: " + ex.Message).ConfigureAwait(false);

    // A stop already decided (the audit log failed) keeps its exit code when disposing then fails too (a full volume).
    return Environment.ExitCode is 0 ? 1 : Environment.ExitCode;
}
