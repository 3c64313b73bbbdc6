using System.CommandLine;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Transport;

namespace Gateway.Cli.Dicom;

/// <summary>The connection options shared by the SCU commands (<c>--host --port --calling-aet --called-aet</c>, TLS, PDU size).</summary>
internal sealed class NetworkCommandOptions
{
    public Option<string> Host { get; } = new("--host") { Description = "Peer host name or address.", DefaultValueFactory = _ => "127.0.0.1" };

    public Option<int> Port { get; } = new("--port", "-p") { Description = "Peer TCP port.", DefaultValueFactory = _ => 104 };

    public Option<string> CallingAet { get; } = new("--calling-aet", "-aet") { Description = "Our AE title.", DefaultValueFactory = _ => "GATEWAYCTL" };

    public Option<string> CalledAet { get; } = new("--called-aet", "-aec") { Description = "The peer's AE title.", DefaultValueFactory = _ => "ANY-SCP" };

    public Option<string?> TlsCert { get; } = new("--tls-cert") { Description = "PEM certificate for TLS (enables TLS with --tls-key and --tls-ca)." };

    public Option<string?> TlsKey { get; } = new("--tls-key") { Description = "PEM private key for TLS." };

    public Option<string[]> TlsCa { get; } = new("--tls-ca") { Description = "PEM CA certificate the peer must chain to (repeat for several)." };

    public Option<uint> MaxPdu { get; } = new("--max-pdu") { Description = "Largest P-DATA PDU we accept (announced to the peer), 4096-4194304.", DefaultValueFactory = _ => 262144 };

    public Option<int> Timeout { get; } = new("--timeout") { Description = "Seconds to wait for the peer (connect, association, each response).", DefaultValueFactory = _ => 60 };

    public void AddTo(Command command)
    {
        command.Options.Add(Host);
        command.Options.Add(Port);
        command.Options.Add(CallingAet);
        command.Options.Add(CalledAet);
        command.Options.Add(TlsCert);
        command.Options.Add(TlsKey);
        command.Options.Add(TlsCa);
        command.Options.Add(MaxPdu);
        command.Options.Add(Timeout);
    }

    public DicomTlsOptions? Tls(ParseResult result)
    {
        string? cert = result.GetValue(TlsCert);
        string? key = result.GetValue(TlsKey);
        if (cert is null && key is null)
        {
            return null;
        }

        if (cert is null || key is null)
        {
            throw new CliInputException("TLS needs both --tls-cert and --tls-key");
        }

        string[] ca = result.GetValue(TlsCa) ?? [];
        if (ca.Length == 0)
        {
            throw new CliInputException("TLS needs --tls-ca: peers are trusted only through configured CAs");
        }

        return new DicomTlsOptions { CertificateFile = cert, PrivateKeyFile = key, TrustedCaFiles = ca };
    }

    public AssociationOptions Association(ParseResult result)
    {
        uint maxPdu = result.GetValue(MaxPdu);
        if (maxPdu is < 4096 or > 4 * 1024 * 1024)
        {
            throw new CliInputException($"--max-pdu {maxPdu} is outside 4096-4194304");
        }

        TimeSpan timeout = TimeSpan.FromSeconds(Math.Max(1, result.GetValue(Timeout)));
        return AssociationOptions.Default with
        {
            Limits = PduLimits.Default with { MaxDataPduLength = maxPdu },
            ArtimTimeout = timeout,
            DimseTimeout = timeout,
            ConnectTimeout = timeout,

            // The commands' handlers only write what they receive to files, or print it: handled on the receiving
            // thread, as DCMTK's tools do, they cost far fewer context switches (bench/NETWORK.md).
            RunHandlersOnReceiveThread = true,
        };
    }

    public DicomClientOptions Client(ParseResult result) => new()
    {
        Host = result.GetValue(Host)!,
        Port = result.GetValue(Port),
        Tls = Tls(result),
        Association = Association(result),
    };

    public AssociationRequest Request(ParseResult result, IReadOnlyList<PresentationContextProposal> contexts, IReadOnlyList<RoleSelection>? roles = null) => new()
    {
        CallingAE = CheckAe(result.GetValue(CallingAet)!, "--calling-aet"),
        CalledAE = CheckAe(result.GetValue(CalledAet)!, "--called-aet"),
        PresentationContexts = contexts,
        RoleSelections = roles ?? [],
    };

    public static string CheckAe(string ae, string option)
    {
        // PS3.5 Table 6.2-1 (AE): 1-16 characters of the default repertoire, no backslash or control characters.
        if (ae.Length is 0 or > 16 || ae.Trim().Length == 0 || ae.Any(c => c < 0x20 || c > 0x7E || c == '\\'))
        {
            throw new CliInputException($"{option} '{ae}' is not an AE title (1-16 printable characters, no backslash)");
        }

        return ae;
    }
}
