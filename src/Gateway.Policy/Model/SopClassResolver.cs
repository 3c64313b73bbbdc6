using System.Collections.Frozen;
using Gateway.Dicom;

namespace Gateway.Policy.Model;

/// <summary>
/// Resolves SOP class members as written in a policy (built-in groups, user sets, registry keywords, raw UIDs) to
/// UIDs. User sets may name other sets; cycles are errors.
/// </summary>
internal sealed class SopClassResolver
{
    private readonly Dictionary<string, SopClassSetDefinition> _sets;
    private readonly Dictionary<string, FrozenSet<string>> _resolved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _resolving = new(StringComparer.Ordinal);

    public SopClassResolver(IEnumerable<SopClassSetDefinition> sets)
    {
        _sets = new Dictionary<string, SopClassSetDefinition>(StringComparer.Ordinal);
        foreach (SopClassSetDefinition set in sets)
        {
            _sets.TryAdd(set.Name, set);
        }
    }

    /// <summary>Resolves members; each member that does not resolve adds one message to <paramref name="errors"/>.</summary>
    public HashSet<string> Resolve(IEnumerable<string> members, List<string>? errors = null)
    {
        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (string member in members)
        {
            ResolveMember(member, uids, errors);
        }

        return uids;
    }

    /// <summary>Resolves one member into <paramref name="uids"/>.</summary>
    public void ResolveMember(string member, HashSet<string> uids, List<string>? errors)
    {
        if (SopClassCatalog.TryGetGroup(member, out IReadOnlySet<string> group))
        {
            uids.UnionWith(group);
        }
        else if (_sets.TryGetValue(member, out SopClassSetDefinition? set))
        {
            uids.UnionWith(ResolveSet(set, errors));
        }
        else if (SopClassCatalog.TryGetKeyword(member, out string uid))
        {
            uids.Add(uid);
        }
        else if (new DicomUid(member).IsValid)
        {
            DicomUidInfo? info = DicomUids.Find(member);
            if (info is not null && info.Type is not (DicomUidType.SopClass or DicomUidType.MetaSopClass))
            {
                errors?.Add($"'{member}' is a registered UID but not a SOP class ({info.Keyword}, {info.Type})");
            }
            else
            {
                uids.Add(member);
            }
        }
        else
        {
            errors?.Add($"'{member}' is not a SOP class group, set, keyword or UID");
        }
    }

    private FrozenSet<string> ResolveSet(SopClassSetDefinition set, List<string>? errors)
    {
        if (_resolved.TryGetValue(set.Name, out FrozenSet<string>? done))
        {
            return done;
        }

        if (!_resolving.Add(set.Name))
        {
            errors?.Add($"SOP class set '{set.Name}' includes itself");
            return FrozenSet<string>.Empty;
        }

        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (string member in set.Members)
        {
            ResolveMember(member, uids, errors);
        }

        _resolving.Remove(set.Name);
        FrozenSet<string> result = uids.ToFrozenSet(StringComparer.Ordinal);
        _resolved[set.Name] = result;
        return result;
    }
}
