namespace Gateway.Policy.Evaluation;

/// <summary>A role: per service index, its grants in written order.</summary>
internal sealed class CompiledRole(string name, bool tokenClaim, int serviceCount)
{
    public string Name { get; } = name;

    public bool TokenClaim { get; } = tokenClaim;

    public CompiledRule[][] GrantsByService { get; } = new CompiledRule[serviceCount][];
}
