namespace Gateway.Policy.Model;

/// <summary>A user (the token's subject or user name) bound to roles.</summary>
public sealed record UserDefinition
{
    /// <summary>The user id as the token carries it.</summary>
    public required string Id { get; init; }

    /// <summary>The roles bound to the user.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>Where it was written.</summary>
    public SourceLocation Location { get; init; }
}
