using Gateway.Policy.Model;

namespace Gateway.Policy.Evaluation;

/// <summary>A service and its index in the per-service rule tables.</summary>
internal sealed class CompiledService(ServiceDefinition definition, int index)
{
    public string Name { get; } = definition.Name;

    public int Index { get; } = index;

    public ServiceKind Kind { get; } = definition.Kind;

    /// <summary>The protocol whose operations the service serves.</summary>
    public PolicyProtocol Protocol { get; } = definition.Kind switch
    {
        ServiceKind.DicomWeb => PolicyProtocol.DicomWeb,
        ServiceKind.Admin => PolicyProtocol.Admin,
        _ => PolicyProtocol.Dimse,
    };
}
