namespace Gateway.Host.Archive;

/// <summary>
/// Decides when a destination's utilisation crossed the warning threshold: once when it rises above, once when it is back
/// below, never on every poll in between. Going back needs a margin (below 90 % of the threshold), so that a figure
/// hovering at the threshold does not flap.
/// </summary>
internal sealed class UtilisationAlarm(double threshold)
{
    private readonly HashSet<string> _raised = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The threshold.</summary>
    public double Threshold => threshold;

    /// <summary>Takes a new figure; returns the crossing it makes, if any. An unknown figure (no service rate) changes nothing.</summary>
    public UtilisationCrossing Observe(string destination, double? utilisation)
    {
        if (utilisation is not { } rho || double.IsNaN(rho))
        {
            return UtilisationCrossing.None;
        }

        if (rho > threshold)
        {
            return _raised.Add(destination) ? UtilisationCrossing.Raised : UtilisationCrossing.None;
        }

        return rho < threshold * 0.9 && _raised.Remove(destination) ? UtilisationCrossing.Cleared : UtilisationCrossing.None;
    }
}
