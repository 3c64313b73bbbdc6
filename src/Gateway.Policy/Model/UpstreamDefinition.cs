namespace Gateway.Policy.Model;

/// <summary>Where the gateway forwards a DIMSE service's traffic.</summary>
public sealed record UpstreamDefinition
{
    /// <summary>The upstream's AE title.</summary>
    public required string AETitle { get; init; }

    /// <summary>Host name or address.</summary>
    public required string Host { get; init; }

    /// <summary>TCP port.</summary>
    public required int Port { get; init; }

    /// <summary>True when the leg uses TLS.</summary>
    public required bool Tls { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
