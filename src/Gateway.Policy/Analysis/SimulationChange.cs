namespace Gateway.Policy.Analysis;

/// <summary>A recorded request whose outcome differs under the new policy.</summary>
/// <param name="Record">The recorded request.</param>
/// <param name="Before">Its outcome before (recorded, or under the old policy).</param>
/// <param name="After">The new policy's decision.</param>
public sealed record SimulationChange(RecordedRequest Record, PolicyOutcome Before, PolicyDecision After)
{
    /// <summary>True when the request was allowed and would now be denied (the change would break something).</summary>
    public bool NowDenied => Before == PolicyOutcome.Allow;
}
