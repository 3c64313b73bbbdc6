using System.Net;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Transport;

namespace Gateway.Dicom.Network;

/// <summary>Where and how a server listens, and its limits.</summary>
public sealed record DicomServerOptions
{
    /// <summary>The address to listen on. Default loopback.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port (0 picks a free one; see <see cref="DicomServer.LocalEndPoint"/>).</summary>
    public int Port { get; init; } = 11112;

    /// <summary>TLS settings, or null for plain TCP.</summary>
    public DicomTlsOptions? Tls { get; init; }

    /// <summary>Most associations served at once; more are rejected (transient, local limit exceeded). Default 64.</summary>
    public int MaxAssociations { get; init; } = 64;

    /// <summary>Most new connections per minute from one address; more are closed at once. Default 600.</summary>
    public int MaxConnectionsPerMinutePerAddress { get; init; } = 600;

    /// <summary>
    /// Most connections open at once from one address, counted from accept (before TLS and A-ASSOCIATE) to close;
    /// more are closed at once, so that one peer holding connections open (Slowloris) cannot take every one of
    /// <see cref="MaxAssociations"/> from the others. Default 16.
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; } = 16;

    /// <summary>Association timeouts and limits.</summary>
    public AssociationOptions Association { get; init; } = AssociationOptions.Default;
}
