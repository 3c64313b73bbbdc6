using Gateway.Policy.Model;

namespace Gateway.Policy.Loading;

/// <summary>
/// Reads the YAML trees of the policy files into definitions, checking shapes and values (names, AE titles, CIDRs,
/// times, sizes, operations). References between definitions are checked afterwards by <see cref="PolicyModelValidator"/>.
/// </summary>
internal sealed partial class PolicyDocumentReader(List<PolicyDiagnostic> diagnostics)
{
    internal static readonly string[] TopKeys = ["version", "mode", "timezone", "zones", "peers", "services", "sop-class-sets", "flows", "roles", "clients", "users"];
    internal static readonly string[] ZoneKeys = ["name", "kind", "networks", "description"];
    internal static readonly string[] PeerKeys = ["name", "zone", "ae-titles", "addresses", "certificate", "description"];
    internal static readonly string[] CertificateKeys = ["subject", "issuer", "san", "sha256"];
    internal static readonly string[] ServiceKeys = ["name", "kind", "ae-title", "upstream", "origin", "description"];
    internal static readonly string[] UpstreamKeys = ["ae-title", "host", "port", "tls"];
    internal static readonly string[] SetKeys = ["name", "members", "description"];
    internal static readonly string[] FlowKeys = ["name", "from", "to", "operations", "sop-classes", "move-destinations", "time-windows", "rate-limit", "max-object-size", "require-identity", "identity-roles", "description"];
    internal static readonly string[] WindowKeys = ["days", "from", "to"];
    internal static readonly string[] FlowRateKeys = ["associations-per-minute", "instances-per-minute"];
    internal static readonly string[] RoleKeys = ["name", "token-claim", "grants", "description"];
    internal static readonly string[] GrantKeys = ["name", "services", "operations", "sop-classes", "time-windows", "rate-limit", "max-object-size"];
    internal static readonly string[] GrantRateKeys = ["requests-per-minute", "instances-per-minute"];
    internal static readonly string[] ClientKeys = ["name", "client-id", "roles", "addresses", "certificate", "description"];
    internal static readonly string[] UserKeys = ["id", "roles"];

    public List<ZoneDefinition> Zones { get; } = [];

    public List<PeerDefinition> Peers { get; } = [];

    public List<ServiceDefinition> Services { get; } = [];

    public List<SopClassSetDefinition> SopClassSets { get; } = [];

    public List<FlowDefinition> Flows { get; } = [];

    public List<RoleDefinition> Roles { get; } = [];

    public List<ClientDefinition> Clients { get; } = [];

    public List<UserDefinition> Users { get; } = [];

    public (PolicyMode Mode, SourceLocation Location)? Mode { get; private set; }

    public (string TimeZone, SourceLocation Location)? TimeZone { get; private set; }

    /// <summary>Reads one file's root node.</summary>
    public void Read(YamlNode root)
    {
        if (root.Kind != YamlNodeKind.Mapping)
        {
            diagnostics.Add(PolicyDiagnostic.Error("wrong-type", $"a policy file is a mapping of sections ({string.Join(", ", TopKeys)}), not {root.Describe()}", root.Location));
            return;
        }

        var top = new YamlMappingReader(root, "policy file", TopKeys, diagnostics);
        if (top.Scalar("version", required: false) is { } version && version.Value != "1")
        {
            top.Error("invalid-value", $"version '{version.Value}' is not supported; this gateway reads version 1", version.Location);
        }

        if (top.Scalar("mode", required: false) is { } mode)
        {
            ReadMode(top, mode.Value, mode.Location);
        }

        if (top.Scalar("timezone", required: false) is { } zone)
        {
            ReadTimeZone(top, zone.Value, zone.Location);
        }

        foreach (YamlNode item in top.Mappings("zones", required: false))
        {
            ReadZone(item);
        }

        foreach (YamlNode item in top.Mappings("peers", required: false))
        {
            ReadPeer(item);
        }

        foreach (YamlNode item in top.Mappings("services", required: false))
        {
            ReadService(item);
        }

        foreach (YamlNode item in top.Mappings("sop-class-sets", required: false))
        {
            ReadSet(item);
        }

        foreach (YamlNode item in top.Mappings("flows", required: false))
        {
            ReadFlow(item);
        }

        foreach (YamlNode item in top.Mappings("roles", required: false))
        {
            ReadRole(item);
        }

        foreach (YamlNode item in top.Mappings("clients", required: false))
        {
            ReadClient(item);
        }

        foreach (YamlNode item in top.Mappings("users", required: false))
        {
            ReadUser(item);
        }
    }

    private void ReadMode(YamlMappingReader top, string value, SourceLocation location)
    {
        PolicyMode? mode = value switch
        {
            "enforce" => PolicyMode.Enforce,
            "observe" => PolicyMode.Observe,
            _ => null,
        };
        if (mode is null)
        {
            top.Error("invalid-value", $"mode must be 'enforce' or 'observe', not '{value}'", location);
        }
        else if (Mode is { } earlier)
        {
            top.Error("duplicate-setting", $"mode is already set at {earlier.Location}; set it in one file only", location);
        }
        else
        {
            Mode = (mode.Value, location);
        }
    }

    private void ReadTimeZone(YamlMappingReader top, string value, SourceLocation location)
    {
        if (TimeZone is { } earlier)
        {
            top.Error("duplicate-setting", $"timezone is already set at {earlier.Location}; set it in one file only", location);
            return;
        }

        // The id becomes a path under the system's zoneinfo directory: only the shape of an IANA id is looked up
        // (letters, digits, '_', '+', '-', names joined by single '/'), so that nothing else on the disk is read.
        // Found by fuzzing: "Europe/" named a directory, and the lookup threw SecurityException.
        if (!IsTimeZoneIdShape(value))
        {
            top.Error("invalid-value", $"timezone '{value}' is not an IANA time zone id (such as Europe/Berlin, or UTC)", location);
            return;
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(value);
            TimeZone = (value, location);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or System.Security.SecurityException or IOException or UnauthorizedAccessException)
        {
            top.Error("invalid-value", $"timezone '{value}' is not a time zone this host knows (an IANA id such as Europe/Berlin, or UTC)", location);
        }
    }

    private static bool IsTimeZoneIdShape(string value)
    {
        if (value.Length is 0 or > 64)
        {
            return false;
        }

        foreach (string part in value.Split('/'))
        {
            if (part.Length == 0 || part == "." || part == ".." || !part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private string? Name(YamlMappingReader reader, string what, string key = "name")
    {
        if (reader.Scalar(key, required: true) is not { } name)
        {
            return null;
        }

        if (!PolicyValues.IsName(name.Value))
        {
            reader.Error("invalid-name", $"{what} name '{name.Value}' must be 1-64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit", name.Location);
            return null;
        }

        return name.Value;
    }

    private List<string> Names(YamlMappingReader reader, string key, bool required, string what)
    {
        var result = new List<string>();
        foreach ((string value, SourceLocation location) in reader.List(key, required))
        {
            if (PolicyValues.IsName(value))
            {
                result.Add(value);
            }
            else
            {
                reader.Error("invalid-name", $"{what}: '{value}' in '{key}' is not a name (a-z, 0-9, '.', '_', '-')", location);
            }
        }

        return result;
    }

    private List<IpNetwork> Networks(YamlMappingReader reader, string key, bool required, string what)
    {
        var result = new List<IpNetwork>();
        foreach ((string value, SourceLocation location) in reader.List(key, required))
        {
            if (IpNetwork.TryParse(value, out IpNetwork network, out string? error))
            {
                result.Add(network);
            }
            else
            {
                reader.Error("invalid-address", $"{what}: {error}", location);
            }
        }

        return result;
    }

    private List<PolicyOperation> Operations(YamlMappingReader reader, string what)
    {
        var result = new List<PolicyOperation>();
        foreach ((string value, SourceLocation location) in reader.List("operations", required: true))
        {
            if (PolicyOperations.TryParse(value, out PolicyOperation op))
            {
                if (!result.Contains(op))
                {
                    result.Add(op);
                }
            }
            else
            {
                string? suggestion = PolicyValues.Suggest(value, PolicyOperations.All.Select(PolicyOperations.Name));
                reader.Error("invalid-value", $"{what}: unknown operation '{value}'" + (suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?"), location);
            }
        }

        return result;
    }

    private List<string> SopClasses(YamlMappingReader reader) => [.. reader.List("sop-classes", required: false).Select(v => v.Value)];

    private long? Size(YamlMappingReader reader, string what)
    {
        if (reader.Scalar("max-object-size", required: false) is not { } size)
        {
            return null;
        }

        if (!PolicyValues.TryParseSize(size.Value, out long bytes) || bytes <= 0)
        {
            reader.Error("invalid-value", $"{what}: max-object-size '{size.Value}' must be a positive size such as 512 MiB or 2 GiB", size.Location);
            return null;
        }

        return bytes;
    }

    private List<TimeWindow> Windows(YamlMappingReader reader, string what)
    {
        var result = new List<TimeWindow>();
        foreach (YamlNode item in reader.Mappings("time-windows", required: false))
        {
            var window = new YamlMappingReader(item, what + " time window", WindowKeys, diagnostics);
            byte days = TimeWindow.AllDays;
            List<(string Value, SourceLocation Location)> dayValues = window.List("days", required: false);
            if (dayValues.Count > 0)
            {
                days = 0;
                foreach ((string value, SourceLocation location) in dayValues)
                {
                    if (PolicyValues.TryParseDays(value, out byte d))
                    {
                        days |= d;
                    }
                    else
                    {
                        window.Error("invalid-value", $"{what}: '{value}' is not a day or range of days (mon, tue ... sun, mon-fri)", location);
                    }
                }
            }

            TimeOnly? from = Time(window, "from", what);
            TimeOnly? to = Time(window, "to", what);
            if (from is { } f && to is { } t && days != 0)
            {
                result.Add(new TimeWindow(days, f, t));
            }
        }

        return result;
    }

    private static TimeOnly? Time(YamlMappingReader reader, string key, string what)
    {
        if (reader.Scalar(key, required: true) is not { } value)
        {
            return null;
        }

        if (!PolicyValues.TryParseTime(value.Value, out TimeOnly time))
        {
            reader.Error("invalid-value", $"{what}: '{key}' must be a time HH:MM (00:00 to 24:00), not '{value.Value}'", value.Location);
            return null;
        }

        return time;
    }

    private CertificateBinding? Certificate(YamlMappingReader reader, string what)
    {
        if (reader.Mapping("certificate") is not { } node)
        {
            return null;
        }

        var cert = new YamlMappingReader(node, what + " certificate", CertificateKeys, diagnostics);
        string? subject = DistinguishedName(cert, "subject", what);
        string? issuer = DistinguishedName(cert, "issuer", what);
        var sans = new List<string>();
        foreach ((string value, SourceLocation location) in cert.List("san", required: false))
        {
            if (PolicyCertificate.NormalizeSubjectAlternativeName(value) is { } san)
            {
                sans.Add(san);
            }
            else
            {
                cert.Error("invalid-value", $"{what}: SAN '{value}' must be a DNS name or IP address (optionally DNS: or IP:)", location);
            }
        }

        var thumbprints = new List<string>();
        foreach ((string value, SourceLocation location) in cert.List("sha256", required: false))
        {
            if (PolicyCertificate.NormalizeThumbprint(value) is { } thumbprint)
            {
                thumbprints.Add(thumbprint);
            }
            else
            {
                cert.Error("invalid-value", $"{what}: sha256 thumbprint must be 64 hex digits (colons allowed), not '{value}'", location);
            }
        }

        if (subject is null && issuer is null && sans.Count == 0 && thumbprints.Count == 0 && node.Entries.Count == 0)
        {
            cert.Error("missing-key", $"{what}: a certificate binding needs at least one of subject, issuer, san, sha256", node.Location);
        }

        return new CertificateBinding
        {
            Subject = subject,
            Issuer = issuer,
            SubjectAlternativeNames = sans,
            Sha256Thumbprints = thumbprints,
            Location = node.Location,
        };
    }

    private static string? DistinguishedName(YamlMappingReader reader, string key, string what)
    {
        if (reader.Scalar(key, required: false) is not { } value)
        {
            return null;
        }

        if (!PolicyCertificate.TryNormalizeDistinguishedName(value.Value, out string? normalized))
        {
            reader.Error("invalid-value", $"{what}: certificate {key} '{value.Value}' is not a distinguished name (such as CN=pacs.example.org, O=Hospital)", value.Location);
            return null;
        }

        return normalized;
    }
}
