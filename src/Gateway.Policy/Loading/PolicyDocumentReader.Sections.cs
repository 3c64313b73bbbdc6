using Gateway.Policy.Model;

namespace Gateway.Policy.Loading;

// One reader per section. A definition whose name is valid is kept even when other fields are not, so that
// references to it do not add "unknown name" errors on top of the real one; the model is never compiled with errors.
internal sealed partial class PolicyDocumentReader
{
    private void ReadZone(YamlNode node)
    {
        var reader = new YamlMappingReader(node, "zone", ZoneKeys, diagnostics);
        string? name = Name(reader, "zone");
        string what = $"zone '{name}'";
        ZoneKind kind = ZoneKind.Device;
        if (reader.Scalar("kind", required: true) is { } k)
        {
            switch (k.Value)
            {
                case "device":
                    kind = ZoneKind.Device;
                    break;
                case "clinical":
                    kind = ZoneKind.Clinical;
                    break;
                default:
                    reader.Error("invalid-value", $"{what}: kind must be 'device' or 'clinical', not '{k.Value}'", k.Location);
                    break;
            }
        }

        List<IpNetwork> networks = Networks(reader, "networks", required: true, what);
        if (name is not null)
        {
            Zones.Add(new ZoneDefinition
            {
                Name = name,
                Kind = kind,
                Networks = networks,
                Description = reader.Scalar("description", required: false)?.Value,
                Location = node.Location,
            });
        }
    }

    private void ReadPeer(YamlNode node)
    {
        var reader = new YamlMappingReader(node, "peer", PeerKeys, diagnostics);
        string? name = Name(reader, "peer");
        string what = $"peer '{name}'";
        string zone = reader.Scalar("zone", required: true)?.Value ?? string.Empty;
        var titles = new List<string>();
        foreach ((string value, SourceLocation location) in reader.List("ae-titles", required: true))
        {
            if (PolicyValues.TryParseAETitle(value, out string title, out string? error))
            {
                if (titles.Contains(title, StringComparer.Ordinal))
                {
                    reader.Error("duplicate-name", $"{what}: AE title '{title}' is listed twice", location);
                }
                else
                {
                    titles.Add(title);
                }
            }
            else
            {
                reader.Error("invalid-ae-title", $"{what}: {error}", location);
            }
        }

        List<IpNetwork> addresses = Networks(reader, "addresses", required: true, what);
        CertificateBinding? certificate = Certificate(reader, what);
        if (name is not null)
        {
            Peers.Add(new PeerDefinition
            {
                Name = name,
                Zone = zone,
                AETitles = titles,
                Addresses = addresses,
                Certificate = certificate,
                Description = reader.Scalar("description", required: false)?.Value,
                Location = node.Location,
            });
        }
    }

    private void ReadService(YamlNode node)
    {
        var reader = new YamlMappingReader(node, "service", ServiceKeys, diagnostics);
        string? name = Name(reader, "service");
        string what = $"service '{name}'";
        ServiceKind kind = ServiceKind.Pacs;
        if (reader.Scalar("kind", required: true) is { } k)
        {
            ServiceKind? parsed = k.Value switch
            {
                "pacs" => ServiceKind.Pacs,
                "worklist" => ServiceKind.Worklist,
                "query-retrieve" => ServiceKind.QueryRetrieve,
                "dicomweb" => ServiceKind.DicomWeb,
                "admin" => ServiceKind.Admin,
                _ => null,
            };
            if (parsed is null)
            {
                reader.Error("invalid-value", $"{what}: kind must be pacs, worklist, query-retrieve, dicomweb or admin, not '{k.Value}'", k.Location);
            }
            else
            {
                kind = parsed.Value;
            }
        }

        bool dimse = kind is ServiceKind.Pacs or ServiceKind.Worklist or ServiceKind.QueryRetrieve;
        string? aeTitle = null;
        if (reader.Scalar("ae-title", required: dimse) is { } ae)
        {
            if (!dimse)
            {
                reader.Error("invalid-value", $"{what}: a {KindName(kind)} service has no AE title", ae.Location);
            }
            else if (PolicyValues.TryParseAETitle(ae.Value, out string title, out string? error))
            {
                aeTitle = title;
            }
            else
            {
                reader.Error("invalid-ae-title", $"{what}: {error}", ae.Location);
            }
        }

        UpstreamDefinition? upstream = null;
        if (reader.Mapping("upstream") is { } up)
        {
            if (!dimse)
            {
                reader.Error("invalid-value", $"{what}: 'upstream' is for DIMSE services; a {KindName(kind)} service uses 'origin'", up.Location);
            }

            var u = new YamlMappingReader(up, what + " upstream", UpstreamKeys, diagnostics);
            string upstreamAe = string.Empty;
            if (u.Scalar("ae-title", required: true) is { } uae)
            {
                if (PolicyValues.TryParseAETitle(uae.Value, out string title, out string? error))
                {
                    upstreamAe = title;
                }
                else
                {
                    u.Error("invalid-ae-title", $"{what} upstream: {error}", uae.Location);
                }
            }

            upstream = new UpstreamDefinition
            {
                AETitle = upstreamAe,
                Host = u.Scalar("host", required: true)?.Value ?? string.Empty,
                Port = u.Int("port", 1, 65535, required: true) ?? 0,
                Tls = u.Bool("tls", required: true) ?? true,
                Location = up.Location,
            };
        }

        Uri? origin = null;
        if (reader.Scalar("origin", required: false) is { } o)
        {
            if (kind != ServiceKind.DicomWeb)
            {
                reader.Error("invalid-value", $"{what}: 'origin' is for dicomweb services", o.Location);
            }
            else if (!Uri.TryCreate(o.Value, UriKind.Absolute, out origin) || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp))
            {
                reader.Error("invalid-value", $"{what}: origin '{o.Value}' must be an absolute http(s) URL", o.Location);
                origin = null;
            }
        }

        if (name is not null)
        {
            Services.Add(new ServiceDefinition
            {
                Name = name,
                Kind = kind,
                AETitle = aeTitle,
                Upstream = upstream,
                Origin = origin,
                Description = reader.Scalar("description", required: false)?.Value,
                Location = node.Location,
            });
        }
    }

    private static string KindName(ServiceKind kind) => kind == ServiceKind.DicomWeb ? "dicomweb" : "admin";

    private void ReadSet(YamlNode node)
    {
        var reader = new YamlMappingReader(node, "SOP class set", SetKeys, diagnostics);
        string? name = Name(reader, "SOP class set");
        List<string> members = [.. reader.List("members", required: true).Select(m => m.Value)];
        if (name is not null)
        {
            SopClassSets.Add(new SopClassSetDefinition
            {
                Name = name,
                Members = members,
                Description = reader.Scalar("description", required: false)?.Value,
                Location = node.Location,
            });
        }
    }

    private void ReadFlow(YamlNode node)
    {
        var reader = new YamlMappingReader(node, "flow", FlowKeys, diagnostics);
        string? name = Name(reader, "flow");
        string what = $"flow '{name}'";
        List<string> from = Names(reader, "from", required: true, what);
        string to = reader.Scalar("to", required: true)?.Value ?? string.Empty;
        List<PolicyOperation> operations = Operations(reader, what);
        List<string> sopClasses = SopClasses(reader);
        List<string> destinations = Names(reader, "move-destinations", required: false, what);
        List<TimeWindow> windows = Windows(reader, what);
        PolicyRateLimit rate = default;
        if (reader.Mapping("rate-limit") is { } r)
        {
            var rr = new YamlMappingReader(r, what + " rate-limit", FlowRateKeys, diagnostics);
            rate = new PolicyRateLimit(
                rr.Int("associations-per-minute", 1, 1_000_000, required: false) ?? 0,
                rr.Int("instances-per-minute", 1, 100_000_000, required: false) ?? 0,
                0);
        }

        long? size = Size(reader, what);
        List<string> identityRoles = Names(reader, "identity-roles", required: false, what);
        bool requireIdentity = (reader.Bool("require-identity", required: false) ?? false) || identityRoles.Count > 0;
        if (name is not null)
        {
            Flows.Add(new FlowDefinition
            {
                Name = name,
                From = from,
                To = to,
                Operations = operations,
                SopClasses = sopClasses,
                MoveDestinations = destinations,
                TimeWindows = windows,
                RateLimit = rate,
                MaxObjectSize = size,
                RequireIdentity = requireIdentity,
                IdentityRoles = identityRoles,
                Description = reader.Scalar("description", required: false)?.Value,
                Location = node.Location,
            });
        }
    }

    private void ReadRole(YamlNode node)
    {
        var reader = new YamlMappingReader(node, "role", RoleKeys, diagnostics);
        string? name = Name(reader, "role");
        string what = $"role '{name}'";
        bool tokenClaim = reader.Bool("token-claim", required: false) ?? false;
        var grants = new List<RoleGrant>();
        int index = 0;
        foreach (YamlNode item in reader.Mappings("grants", required: true))
        {
            index++;
            var g = new YamlMappingReader(item, what + " grant", GrantKeys, diagnostics);
            string grantName = g.Get("name") is null
                ? index.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : Name(g, what + " grant") ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string grantWhat = $"{what} grant '{grantName}'";
            List<string> services = Names(g, "services", required: true, grantWhat);
            List<PolicyOperation> operations = Operations(g, grantWhat);
            PolicyRateLimit rate = default;
            if (g.Mapping("rate-limit") is { } r)
            {
                var rr = new YamlMappingReader(r, grantWhat + " rate-limit", GrantRateKeys, diagnostics);
                rate = new PolicyRateLimit(
                    0,
                    rr.Int("instances-per-minute", 1, 100_000_000, required: false) ?? 0,
                    rr.Int("requests-per-minute", 1, 100_000_000, required: false) ?? 0);
            }

            if (grants.Any(x => string.Equals(x.Name, grantName, StringComparison.Ordinal)))
            {
                g.Error("duplicate-name", $"{what}: grant '{grantName}' is defined twice", item.Location);
            }

            grants.Add(new RoleGrant
            {
                Name = grantName,
                Services = services,
                Operations = operations,
                SopClasses = SopClasses(g),
                TimeWindows = Windows(g, grantWhat),
                RateLimit = rate,
                MaxObjectSize = Size(g, grantWhat),
                Location = item.Location,
            });
        }

        if (name is not null)
        {
            Roles.Add(new RoleDefinition
            {
                Name = name,
                TokenClaim = tokenClaim,
                Grants = grants,
                Description = reader.Scalar("description", required: false)?.Value,
                Location = node.Location,
            });
        }
    }

    private void ReadClient(YamlNode node)
    {
        var reader = new YamlMappingReader(node, "client", ClientKeys, diagnostics);
        string? name = Name(reader, "client");
        string what = $"client '{name}'";
        string clientId = reader.Scalar("client-id", required: true)?.Value ?? string.Empty;
        List<string> roles = Names(reader, "roles", required: true, what);
        List<IpNetwork> addresses = Networks(reader, "addresses", required: false, what);
        CertificateBinding? certificate = Certificate(reader, what);
        if (name is not null)
        {
            Clients.Add(new ClientDefinition
            {
                Name = name,
                ClientId = clientId,
                Roles = roles,
                Addresses = addresses,
                Certificate = certificate,
                Description = reader.Scalar("description", required: false)?.Value,
                Location = node.Location,
            });
        }
    }

    private void ReadUser(YamlNode node)
    {
        var reader = new YamlMappingReader(node, "user", UserKeys, diagnostics);
        (string Value, SourceLocation Location)? id = reader.Scalar("id", required: true);
        List<string> roles = Names(reader, "roles", required: true, $"user '{id?.Value}'");
        if (id is not null)
        {
            Users.Add(new UserDefinition { Id = id.Value.Value, Roles = roles, Location = node.Location });
        }
    }
}
