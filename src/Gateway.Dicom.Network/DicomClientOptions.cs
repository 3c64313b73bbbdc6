using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Transport;

namespace Gateway.Dicom.Network;

/// <summary>Where and how a client connects.</summary>
public sealed record DicomClientOptions
{
    /// <summary>Host name or address of the peer.</summary>
    public required string Host { get; init; }

    /// <summary>TCP port of the peer. Default 104.</summary>
    public int Port { get; init; } = 104;

    /// <summary>The local address to connect from (a multi-homed host's leg), or null for the system's choice.</summary>
    public System.Net.IPAddress? LocalAddress { get; init; }

    /// <summary>TLS settings, or null for a plain TCP connection.</summary>
    public DicomTlsOptions? Tls { get; init; }

    /// <summary>Association timeouts and limits.</summary>
    public AssociationOptions Association { get; init; } = AssociationOptions.Default;
}
