using System.ComponentModel.DataAnnotations;

namespace Gateway.Host.Configuration;

/// <summary>
/// Everything the gateway is told (section <c>Gateway</c> of appsettings.json, <c>--config FILE</c>, or environment
/// variables such as <c>Gateway__Vlan__Port=104</c>). The embedded defaults run on loopback with a development PKI.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gateway";

    /// <summary>Where the archive, index, audit log, keys and logs live (relative to the working directory).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The gateway's AE title on both legs and as the calling AE title towards upstreams.</summary>
    [Required]
    [RegularExpression(@"^[\x21-\x5B\x5D-\x7E][\x20-\x5B\x5D-\x7E]{0,15}$", ErrorMessage = "an AE title is 1-16 characters of the default repertoire, without backslash or leading space")]
    public string AETitle { get; set; } = "GATEWAY";

    /// <summary>The allowed-flows policy directory (<c>*.yaml</c>, see policies/README.md). No policy, no flow.</summary>
    [Required]
    public string PolicyDirectory { get; set; } = "policies";

    /// <summary>The device VLAN leg: plain DIMSE for legacy modalities.</summary>
    public DimseListenerOptions Vlan { get; set; } = new() { Address = "127.0.0.1", Port = 11112 };

    /// <summary>The clinical leg: DIMSE over TLS with mutual authentication.</summary>
    public DimseListenerOptions Clinical { get; set; } = new() { Address = "127.0.0.1", Port = 2762, Tls = true };

    /// <summary>The HTTPS endpoint (health, metrics; DICOMweb and admin later). Never bound on the VLAN leg.</summary>
    public HttpsEndpointOptions Https { get; set; } = new();

    /// <summary>Certificates of the TLS legs and of HTTPS.</summary>
    public TlsFilesOptions Tls { get; set; } = new();

    /// <summary>Upstream systems by name (for example <c>Pacs</c>, <c>Ris</c>).</summary>
    public Dictionary<string, UpstreamOptions> Upstreams { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Which upstream answers what.</summary>
    public RoutingOptions Routing { get; set; } = new();

    /// <summary>Devices on the VLAN that may receive (C-MOVE destinations, pushes): AE title to address.</summary>
    public Dictionary<string, DeviceOptions> Devices { get; } = new(StringComparer.Ordinal);

    /// <summary>The local audit log (forwarding is the <c>Gateway:Audit:Syslog</c> section).</summary>
    public AuditOptions Audit { get; set; } = new();

    /// <summary>Free space and outbox depth below which new C-STOREs are refused (A700).</summary>
    public BackpressureOptions Backpressure { get; set; } = new();

    /// <summary>Worklist-driven prefetch of priors to a VLAN device.</summary>
    public PrefetchOptions Prefetch { get; set; } = new();

    /// <summary>Snapshots, restore drills and their schedule (section <c>Gateway:Backup</c>); off without a repository.</summary>
    public Backup.BackupOptions Backup { get; set; } = new();
}

/// <summary>One DIMSE listener.</summary>
public sealed class DimseListenerOptions
{
    /// <summary>False to turn the leg off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The local address to bind (never 0.0.0.0 by default: a gateway leg belongs to one network).</summary>
    [Required]
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; }

    /// <summary>TLS with a required client certificate.</summary>
    public bool Tls { get; set; }

    /// <summary>At most this many associations at once on this leg.</summary>
    [Range(1, 10_000)]
    public int MaxAssociations { get; set; } = 64;

    /// <summary>New connections accepted per minute from one address.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerMinutePerAddress { get; set; } = 600;

    /// <summary>Connections open at once from one address (so that one peer cannot hold every association).</summary>
    [Range(1, 10_000)]
    public int MaxConnectionsPerAddress { get; set; } = 16;
}

/// <summary>The HTTPS endpoint.</summary>
public sealed class HttpsEndpointOptions
{
    /// <summary>The local address to bind.</summary>
    [Required]
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 8443;
}

/// <summary>PEM files for TLS. Empty paths mean the development PKI in <see cref="DevelopmentPkiDirectory"/>.</summary>
public sealed class TlsFilesOptions
{
    /// <summary>The gateway's certificate (server on the clinical leg and HTTPS; client towards upstreams).</summary>
    public string? Certificate { get; set; }

    /// <summary>Its private key (PEM, unencrypted, owner-only permissions).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>CA certificates that peers' certificates must chain to (not the system store).</summary>
    public List<string> TrustedCa { get; } = [];

    /// <summary>CRL files (PEM or DER) checked for peers' certificates.</summary>
    public List<string> Crl { get; } = [];

    /// <summary>Generate a development CA, server and client certificate here on first run when no files are configured.</summary>
    public bool GenerateDevelopmentPki { get; set; } = true;

    /// <summary>Where the development PKI lives.</summary>
    public string DevelopmentPkiDirectory { get; set; } = "certs";
}

/// <summary>
/// An upstream DICOM system (PACS, RIS, Q/R provider): a DIMSE node (<see cref="AETitle"/>, <see cref="Host"/>,
/// <see cref="Port"/>, <see cref="Tls"/>) or a DICOMweb origin (<see cref="DicomWeb"/>), checked at start by
/// <see cref="UpstreamValidation"/>.
/// </summary>
public sealed class UpstreamOptions
{
    /// <summary>Its AE title (DIMSE; for a DICOMweb origin only a label).</summary>
    public string AETitle { get; set; } = string.Empty;

    /// <summary>Host name or address (DIMSE; empty for a DICOMweb origin).</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>
    /// The root of a DICOMweb origin (for example <c>https://pacs.example/dicom-web/</c>) instead of a DIMSE node: stores
    /// are forwarded by STOW-RS, C-FIND is answered from QIDO-RS and C-MOVE/C-GET from WADO-RS.
    /// </summary>
    public Uri? DicomWeb { get; set; }

    /// <summary>A PEM file of CA certificates an HTTPS <see cref="DicomWeb"/> origin must chain to (instead of the system's store).</summary>
    public string? TrustedCa { get; set; }

    /// <summary>
    /// A static bearer token sent to the <see cref="DicomWeb"/> origin (<c>Authorization: Bearer</c>); none when empty.
    /// Never logged; give it by environment variable (<c>Gateway__Upstreams__Pacs__Token</c>) rather than in a file.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 2762;

    /// <summary>Use TLS with our certificate (on by default: the clinical leg is TLS).</summary>
    public bool Tls { get; set; } = true;

    /// <summary>Seconds to wait for a connection, an association and each response.</summary>
    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>Which upstream serves which service.</summary>
public sealed class RoutingOptions
{
    /// <summary>Upstream names that receive every instance stored by a device (store-and-forward).</summary>
    public List<string> ForwardTo { get; } = [];

    /// <summary>Upstream that answers C-FIND (Patient and Study Root) and serves C-MOVE/C-GET.</summary>
    public string? QueryRetrieve { get; set; }

    /// <summary>Upstream that answers Modality Worklist queries.</summary>
    public string? Worklist { get; set; }

    /// <summary>
    /// How long an item may stay undelivered (retried with backoff) before it becomes a dead letter for an operator
    /// (<c>gatewayctl queue retry</c> or the console's Operations page). At least 1 second.
    /// </summary>
    public TimeSpan DeadLetterAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// How long an association to an upstream stays open after its queue ran empty, so that the next instance does
    /// not pay for a new TLS handshake and association (as Orthanc's <c>DicomAssociationCloseDelay</c>, also 5 s by
    /// default). 0 closes it at once. Keep it below the upstream's own idle timeout (Orthanc: 30 s). Associations to
    /// devices on the VLAN (<c>Gateway:Devices</c>) always close at once: an old device may take one association at a time.
    /// </summary>
    public TimeSpan AssociationCloseDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>A device on the VLAN that the gateway sends to.</summary>
public sealed class DeviceOptions
{
    /// <summary>Host name or address on the VLAN.</summary>
    [Required]
    public string Host { get; set; } = string.Empty;

    /// <summary>Port.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 104;
}
