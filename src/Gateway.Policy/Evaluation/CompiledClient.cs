using Gateway.Policy.Model;

namespace Gateway.Policy.Evaluation;

/// <summary>A DICOMweb or admin client with its bindings and role indices.</summary>
internal sealed class CompiledClient(ClientDefinition definition, int[] roles)
{
    public string Name { get; } = definition.Name;

    /// <summary><c>client:NAME</c>.</summary>
    public string RuleId { get; } = "client:" + definition.Name;

    public IpNetwork[] Addresses { get; } = [.. definition.Addresses];

    public CompiledCertificate? Certificate { get; } = definition.Certificate is null ? null : new CompiledCertificate(definition.Certificate);

    public int[] Roles { get; } = roles;
}
