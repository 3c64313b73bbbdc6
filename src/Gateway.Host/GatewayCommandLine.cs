using System.Reflection;

namespace Gateway.Host;

/// <summary>The gateway's own command-line words: <c>--help</c>/<c>-h</c> and <c>--version</c>; everything else is configuration.</summary>
public static class GatewayCommandLine
{
    /// <summary>What <c>--help</c> prints.</summary>
    public const string Usage = """
        Usage: gateway [--config FILE] [--Gateway:SETTING=VALUE ...]
               gateway --help | -h
               gateway --version

        Runs the DICOM gateway until Ctrl-C (SIGINT) or SIGTERM; SIGHUP reloads the policy.
        With no arguments it runs on its embedded defaults: loopback ports (VLAN 11112 plain, clinical 2762 TLS,
        HTTPS 8443), data under ./data, a development PKI in ./certs, the policy in ./policies.

        Options:
          --config FILE               a JSON settings file, applied after appsettings.json
          --Gateway:SETTING=VALUE     one setting, e.g. --Gateway:Vlan:Port=104 (also as environment
                                      variable Gateway__Vlan__Port=104)
          -h, --help                  print this help and exit
          --version                   print the version and exit

        Settings, each overriding the one before: the embedded appsettings.json, ./appsettings.json,
        --config FILE, environment variables, arguments. Main sections under "Gateway": DataDirectory,
        AETitle, PolicyDirectory, Vlan, Clinical, Https, Tls, Upstreams, Routing, Devices, Audit, Audit:Syslog,
        Retention, QueueMetrics. Every setting, with an example for a real site, is documented in the
        README ("Running the gateway at a site"); the policy language in policies/README.md.

        Exit codes: 0 stopped normally (or --help, --version); 1 invalid setting or start-up error.
        """;

    /// <summary>The version: the informational version of the gateway assembly.</summary>
    public static string Version =>
        typeof(GatewayCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(GatewayCommandLine).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>Handles <c>--help</c>, <c>-h</c> and <c>--version</c>: writes the answer and returns true (the gateway does not start).</summary>
    /// <remarks>Only the words themselves count; the value of a setting (<c>--config --help</c>) is not one of them.</remarks>
    public static bool TryHandle(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h" or "-?":
                    output.Write(Usage);
                    return true;
                case "--version":
                    output.WriteLine("gateway " + Version);
                    return true;
                case "--config":
                    i++;
                    break;
            }
        }

        return false;
    }
}
