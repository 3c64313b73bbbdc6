using Gateway.Policy.Model;

namespace Gateway.Policy.Loading;

/// <summary>A YAML node with its position: the loader's own small tree, built from parser events under limits.</summary>
internal sealed class YamlNode
{
    private YamlNode(YamlNodeKind kind, SourceLocation location, string value, bool isPlain)
    {
        Kind = kind;
        Location = location;
        Value = value;
        IsPlain = isPlain;
    }

    public YamlNodeKind Kind { get; }

    public SourceLocation Location { get; }

    /// <summary>The scalar's text (empty for collections).</summary>
    public string Value { get; }

    /// <summary>True for an unquoted scalar (so <c>null</c>, <c>~</c> and empty mean "no value").</summary>
    public bool IsPlain { get; }

    /// <summary>Mapping entries in written order.</summary>
    public List<KeyValuePair<YamlNode, YamlNode>> Entries { get; } = [];

    /// <summary>Sequence items in written order.</summary>
    public List<YamlNode> Items { get; } = [];

    /// <summary>True for a plain scalar that YAML reads as null.</summary>
    public bool IsNull => Kind == YamlNodeKind.Scalar && IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public static YamlNode Scalar(SourceLocation location, string value, bool isPlain) => new(YamlNodeKind.Scalar, location, value, isPlain);

    public static YamlNode Mapping(SourceLocation location) => new(YamlNodeKind.Mapping, location, string.Empty, false);

    public static YamlNode Sequence(SourceLocation location) => new(YamlNodeKind.Sequence, location, string.Empty, false);

    /// <summary>How the kind is named in error messages.</summary>
    public string Describe() => Kind switch
    {
        YamlNodeKind.Mapping => "a mapping",
        YamlNodeKind.Sequence => "a list",
        _ => IsNull ? "nothing" : "'" + Value + "'",
    };
}
