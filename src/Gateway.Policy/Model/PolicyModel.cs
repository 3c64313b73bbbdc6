namespace Gateway.Policy.Model;

/// <summary>A whole policy as written in the files of one directory, validated: names resolve, values parse.</summary>
public sealed record PolicyModel
{
    /// <summary>An empty policy: denies everything.</summary>
    public static PolicyModel Empty { get; } = new();

    /// <summary>Enforce or observe.</summary>
    public PolicyMode Mode { get; init; }

    /// <summary>The IANA time zone id time windows are read in (default UTC).</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The zones.</summary>
    public IReadOnlyList<ZoneDefinition> Zones { get; init; } = [];

    /// <summary>The peers.</summary>
    public IReadOnlyList<PeerDefinition> Peers { get; init; } = [];

    /// <summary>The services.</summary>
    public IReadOnlyList<ServiceDefinition> Services { get; init; } = [];

    /// <summary>The user-defined SOP class sets.</summary>
    public IReadOnlyList<SopClassSetDefinition> SopClassSets { get; init; } = [];

    /// <summary>The flows, in policy order (files by name, then as written).</summary>
    public IReadOnlyList<FlowDefinition> Flows { get; init; } = [];

    /// <summary>The roles.</summary>
    public IReadOnlyList<RoleDefinition> Roles { get; init; } = [];

    /// <summary>The clients.</summary>
    public IReadOnlyList<ClientDefinition> Clients { get; init; } = [];

    /// <summary>The users.</summary>
    public IReadOnlyList<UserDefinition> Users { get; init; } = [];

    /// <summary>The files the policy was read from, in the order read.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>Finds a zone by name.</summary>
    public ZoneDefinition? FindZone(string name) => Zones.FirstOrDefault(z => string.Equals(z.Name, name, StringComparison.Ordinal));

    /// <summary>Finds a peer by name.</summary>
    public PeerDefinition? FindPeer(string name) => Peers.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <summary>Finds a service by name.</summary>
    public ServiceDefinition? FindService(string name) => Services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    /// <summary>Finds a role by name.</summary>
    public RoleDefinition? FindRole(string name) => Roles.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// The peers a flow's <c>from:</c> names, in policy order: named peers, and every peer of a named zone.
    /// </summary>
    public IReadOnlyList<PeerDefinition> SourcePeers(FlowDefinition flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var names = new HashSet<string>(flow.From, StringComparer.Ordinal);
        return [.. Peers.Where(p => names.Contains(p.Name) || names.Contains(p.Zone))];
    }
}
