namespace Gateway.Policy.Model;

/// <summary>
/// A DIMSE flow: which peers (named, or every peer of a zone) may do which operations with which SOP classes on one
/// service, to which move destinations, when, how often and how large.
/// </summary>
public sealed record FlowDefinition
{
    /// <summary>The flow's name; rules are reported as <c>flow:NAME</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Peer or zone names the flow is from.</summary>
    public required IReadOnlyList<string> From { get; init; }

    /// <summary>The service the flow goes to.</summary>
    public required string To { get; init; }

    /// <summary>The operations allowed (DIMSE only).</summary>
    public required IReadOnlyList<PolicyOperation> Operations { get; init; }

    /// <summary>SOP class set members as written (built-in groups, sets, keywords, UIDs); empty when the operations need none.</summary>
    public IReadOnlyList<string> SopClasses { get; init; } = [];

    /// <summary>Peer names whose AE titles may be C-MOVE destinations.</summary>
    public IReadOnlyList<string> MoveDestinations { get; init; } = [];

    /// <summary>When the flow applies; empty: always.</summary>
    public IReadOnlyList<TimeWindow> TimeWindows { get; init; } = [];

    /// <summary>The rate limit; <see cref="PolicyRateLimit.None"/>: none.</summary>
    public PolicyRateLimit RateLimit { get; init; }

    /// <summary>The largest object in bytes, or null for no limit.</summary>
    public long? MaxObjectSize { get; init; }

    /// <summary>
    /// The association must carry a verified user identity (PS3.7 D.3.3.7: a JWT, or a username and passcode) of a user
    /// or client the gateway knows; true whenever <see cref="IdentityRoles"/> is not empty.
    /// </summary>
    public bool RequireIdentity { get; init; }

    /// <summary>Roles one of which the identity must hold (bound in the policy or carried in its token); empty: any identity.</summary>
    public IReadOnlyList<string> IdentityRoles { get; init; } = [];

    /// <summary>Free text for reviewers.</summary>
    public string? Description { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
