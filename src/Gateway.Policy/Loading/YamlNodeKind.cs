namespace Gateway.Policy.Loading;

/// <summary>The three kinds of YAML node the policy language uses.</summary>
internal enum YamlNodeKind : byte
{
    Scalar,
    Mapping,
    Sequence,
}
