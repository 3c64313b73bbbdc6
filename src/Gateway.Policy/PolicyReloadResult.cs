using Gateway.Policy.Loading;

namespace Gateway.Policy;

/// <summary>The outcome of a reload: whether the new policy took effect, and if not, why, and which policy stays.</summary>
/// <param name="Applied">True when the new policy replaced the old one.</param>
/// <param name="Current">The policy in effect after the reload (the new one, or the last good one kept).</param>
/// <param name="Diagnostics">Every error (when not applied) or warning found in the new files.</param>
public sealed record PolicyReloadResult(bool Applied, PolicySnapshot? Current, IReadOnlyList<PolicyDiagnostic> Diagnostics)
{
    /// <summary>One line for the operational log: what happened, and that the last good policy stays when the new one is bad.</summary>
    public string Summary => Applied
        ? $"policy reloaded ({Current!.Evaluator.Model.Files.Count} files, mode {(Current.Evaluator.Mode == PolicyMode.Observe ? "observe" : "enforce")})"
        : Current is null
            ? $"policy not loaded: {Diagnostics.Count(d => d.IsError)} errors; no policy is in effect (everything is denied)"
            : $"policy not reloaded: {Diagnostics.Count(d => d.IsError)} errors; the policy loaded at {Current.LoadedAt:O} stays in effect";
}
