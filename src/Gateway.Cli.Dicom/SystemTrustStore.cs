using System.Runtime.InteropServices;

namespace Gateway.Cli.Dicom;

/// <summary>Keeps the operating system's CA store out of a process that trusts only configured anchors.</summary>
public static partial class SystemTrustStore
{
    /// <summary>OpenSSL's variables naming the system store's file and directories, which .NET reads on Linux.</summary>
    public static IReadOnlyList<string> Variables { get; } = ["SSL_CERT_FILE", "SSL_CERT_DIR"];

    /// <summary>
    /// Points OpenSSL's system store at nothing (<c>/dev/null</c>), also where the environment named one: no dicom
    /// command ever trusts it. Call before the first certificate chain is built.
    /// </summary>
    /// <remarks>
    /// The <c>gatewayctl dicom</c> commands trust only the CAs given with <c>--tls-ca</c>: every chain is built with
    /// custom trust. On Linux .NET still loads and parses the whole system store the first time it builds any chain
    /// (Debian's, about 140 roots), which took about 80 ms of every command over TLS: an empty TLS <c>dicom echo</c>
    /// went from 160-200 ms to about 100 ms without it. No decision changes, since the system store was never
    /// trusted. Only for the native program, which holds nothing but the dicom commands: gatewayctl's other commands
    /// reach HTTPS servers that may well be trusted through the system store.
    /// </remarks>
    public static void Ignore()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (string variable in Variables)
        {
            // The native environment, which OpenSSL reads (Environment.SetEnvironmentVariable changes only .NET's copy).
            _ = SetEnv(variable, "/dev/null", overwrite: 1);
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
