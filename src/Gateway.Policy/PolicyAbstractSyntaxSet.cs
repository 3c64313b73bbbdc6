using System.Collections.Frozen;

namespace Gateway.Policy;

/// <summary>
/// The abstract syntaxes (SOP classes) some flow allows between one peer and one service: the presentation contexts
/// the network layer may accept at association time. Shared between peers with the same flows; immutable.
/// </summary>
public sealed class PolicyAbstractSyntaxSet
{
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    internal PolicyAbstractSyntaxSet(FrozenSet<string> uids)
    {
        Uids = uids;
        _lookup = uids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>No abstract syntax.</summary>
    public static PolicyAbstractSyntaxSet Empty { get; } = new(FrozenSet<string>.Empty);

    /// <summary>The UIDs.</summary>
    public IReadOnlySet<string> Uids { get; }

    /// <summary>The number of UIDs.</summary>
    public int Count => Uids.Count;

    /// <summary>True when the UID (NUL or space padding ignored) is in the set.</summary>
    public bool Contains(string? uid) => uid is not null && _lookup.Contains(uid.AsSpan().TrimEnd("\0 "));
}
