namespace Gateway.Policy.Model;

/// <summary>A named set of SOP classes: built-in group names, other sets, UID keywords and raw UIDs.</summary>
public sealed record SopClassSetDefinition
{
    /// <summary>The set's name.</summary>
    public required string Name { get; init; }

    /// <summary>The members as written.</summary>
    public required IReadOnlyList<string> Members { get; init; }

    /// <summary>Free text for reviewers.</summary>
    public string? Description { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
