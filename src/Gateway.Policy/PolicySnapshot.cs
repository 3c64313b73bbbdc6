using Gateway.Policy.Loading;

namespace Gateway.Policy;

/// <summary>One loaded, compiled policy: what a <see cref="PolicyStore"/> swaps atomically on reload.</summary>
/// <param name="Evaluator">The compiled policy.</param>
/// <param name="LoadedAt">When it was loaded.</param>
/// <param name="Diagnostics">Warnings found while loading (errors prevent a snapshot).</param>
public sealed record PolicySnapshot(PolicyEvaluator Evaluator, DateTimeOffset LoadedAt, IReadOnlyList<PolicyDiagnostic> Diagnostics);
