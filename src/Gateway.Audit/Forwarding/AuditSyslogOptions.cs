using System.Security.Cryptography.X509Certificates;

namespace Gateway.Audit.Forwarding;

/// <summary>Where and how audit records are forwarded (RFC 5424 over TLS, RFC 5425 framing).</summary>
public sealed record AuditSyslogOptions
{
    /// <summary>The audit record repository's host.</summary>
    public required string Host { get; init; }

    /// <summary>Its TLS syslog port (RFC 5425 registers 6514).</summary>
    public int Port { get; init; } = 6514;

    /// <summary>The name its certificate must carry; default <see cref="Host"/>.</summary>
    public string? TargetName { get; init; }

    /// <summary>CA certificates to trust for the repository (instead of the system store), e.g. a private PKI.</summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>A client certificate, for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Name of this forwarding target; names its cursor file <c>forward/NAME.cursor</c>. Letters, digits, '-', '_'.</summary>
    public string Name { get; init; } = "default";

    /// <summary>RFC 5424 HOSTNAME; default the machine name.</summary>
    public string HostName { get; init; } = Environment.MachineName;

    /// <summary>RFC 5424 APP-NAME.</summary>
    public string AppName { get; init; } = "gateway";

    /// <summary>Most records sent in one TLS session before the delivery is confirmed and the cursor moves.</summary>
    public int MaxBatchRecords { get; init; } = 1000;

    /// <summary>How often to look for new records when caught up.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait after a failure (doubling up to <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for connecting, the handshake, sending a batch, and the confirming close.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
