using System.ComponentModel.DataAnnotations;

namespace Gateway.Host.Configuration;

/// <summary>
/// Forwarding of the audit log to an audit record repository (section <c>Gateway:Audit:Syslog</c>): RFC 5424 messages
/// carrying DICOM audit XML over TLS with RFC 5425 framing, at least once, resuming from a durable cursor. Off while
/// <see cref="Host"/> is empty. The local audit log stays the record of truth: forwarding never holds up a DIMSE operation.
/// </summary>
public sealed class SyslogForwardingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gateway:Audit:Syslog";

    /// <summary>The repository's host name or address; empty turns forwarding off.</summary>
    public string? Host { get; set; }

    /// <summary>Its syslog-over-TLS port (RFC 5425 registers 6514).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 6514;

    /// <summary>The name the repository's certificate must carry; default <see cref="Host"/>.</summary>
    public string? TargetName { get; set; }

    /// <summary>PEM files of the CAs the repository's certificate must chain to; empty means the gateway's <c>Gateway:Tls:TrustedCa</c> (never the system store).</summary>
    public List<string> TrustedCa { get; } = [];

    /// <summary>A PEM client certificate for mutual TLS (with <see cref="ClientPrivateKey"/>); none by default.</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>The client certificate's PEM private key (unencrypted, owner-only permissions).</summary>
    public string? ClientPrivateKey { get; set; }

    /// <summary>RFC 5424 APP-NAME.</summary>
    [RegularExpression("^[\\x21-\\x7E]{1,48}$", ErrorMessage = "APP-NAME is 1-48 printable ASCII characters without spaces")]
    public string AppName { get; set; } = "gateway";

    /// <summary>RFC 5424 HOSTNAME; default the machine name.</summary>
    [RegularExpression("^[\\x21-\\x7E]{1,255}$", ErrorMessage = "HOSTNAME is 1-255 printable ASCII characters without spaces")]
    public string? HostName { get; set; }

    /// <summary>Names the durable cursor (<c>audit/forward/NAME.cursor</c>): a new name starts from the first record.</summary>
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$", ErrorMessage = "the name is 1-64 letters, digits, '-' or '_'")]
    public string Name { get; set; } = "syslog";

    /// <summary>Most records sent in one TLS session before the delivery is confirmed and the cursor moves.</summary>
    [Range(1, 100_000)]
    public int MaxBatchRecords { get; set; } = 1000;

    /// <summary>How often to look for new records when caught up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait after a failure; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts while the repository is unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for connecting, the handshake, one batch and the confirming close.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether forwarding is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}
