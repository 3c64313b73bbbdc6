using Gateway.Policy.Model;

namespace Gateway.Policy.Analysis;

/// <summary>A flow with its names resolved (source peers, SOP class UIDs, destination AE titles), for comparisons between flows.</summary>
internal sealed class FlowFacts
{
    public FlowFacts(FlowDefinition flow, PolicyModel model, SopClassResolver resolver)
    {
        Flow = flow;
        Sources = new HashSet<string>(model.SourcePeers(flow).Select(p => p.Name), StringComparer.Ordinal);
        SopClasses = resolver.Resolve(flow.SopClasses);
        Destinations = new HashSet<string>(flow.MoveDestinations.SelectMany(n => model.FindPeer(n)?.AETitles ?? []), StringComparer.Ordinal);
    }

    public FlowDefinition Flow { get; }

    public HashSet<string> Sources { get; }

    public HashSet<string> SopClasses { get; }

    public HashSet<string> Destinations { get; }

    /// <summary>True when every request <paramref name="later"/> allows is also allowed by this flow (conservative).</summary>
    public bool Covers(FlowFacts later)
    {
        FlowDefinition a = Flow;
        FlowDefinition b = later.Flow;
        if (!string.Equals(a.To, b.To, StringComparison.Ordinal) || !Sources.IsSupersetOf(later.Sources) || !b.Operations.All(a.Operations.Contains))
        {
            return false;
        }

        bool needsSopClasses = b.Operations.Any(o => o is PolicyOperation.Store or PolicyOperation.Move or PolicyOperation.Get);
        if (needsSopClasses && !SopClasses.IsSupersetOf(later.SopClasses))
        {
            return false;
        }

        if (b.Operations.Contains(PolicyOperation.Move) && !Destinations.IsSupersetOf(later.Destinations))
        {
            return false;
        }

        if (a.TimeWindows.Count > 0 && (b.TimeWindows.Count == 0 || !b.TimeWindows.All(w => a.TimeWindows.Any(x => x.Covers(w)))))
        {
            return false;
        }

        return a.MaxObjectSize is null || (b.MaxObjectSize is { } max && max <= a.MaxObjectSize);
    }
}
