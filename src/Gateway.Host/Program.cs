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
    return 0;
}
catch (Exception ex) when (ex is GatewayStartupException or OptionsValidationException or InvalidOperationException or IOException or ArgumentException)
{
    await Console.Error.WriteLineAsync("gateway: " + ex.Message).ConfigureAwait(false);
    return 1;
}
