using Gateway.Policy.Model;

namespace Gateway.Policy.Evaluation;

/// <summary>A peer with its bindings and, per service index, the flows from it in policy order.</summary>
internal sealed class CompiledPeer(PeerDefinition definition, int serviceCount)
{
    public string Name { get; } = definition.Name;

    /// <summary><c>peer:NAME</c>.</summary>
    public string RuleId { get; } = "peer:" + definition.Name;

    public IpNetwork[] Addresses { get; } = [.. definition.Addresses];

    public CompiledCertificate? Certificate { get; } = definition.Certificate is null ? null : new CompiledCertificate(definition.Certificate);

    public CompiledRule[][] RulesByService { get; } = new CompiledRule[serviceCount][];

    public PolicyAbstractSyntaxSet[] SyntaxesByService { get; } = new PolicyAbstractSyntaxSet[serviceCount];

    public bool MatchesAddress(UInt128 address)
    {
        for (int i = 0; i < Addresses.Length; i++)
        {
            if (Addresses[i].Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
