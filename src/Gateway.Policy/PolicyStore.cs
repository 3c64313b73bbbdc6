using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy;

/// <summary>
/// Holds the policy in effect as an immutable <see cref="PolicySnapshot"/> and replaces it on <see cref="Reload"/>:
/// the new files are loaded and compiled in full first; with any error the last good snapshot stays and the errors are
/// returned. Readers take <see cref="Current"/> once per decision and never see a half-applied policy.
/// </summary>
public sealed class PolicyStore
{
    private readonly Func<PolicyLoadResult> _load;
    private readonly TimeProvider _time;
    private readonly Lock _reloadLock = new();
    private PolicySnapshot? _current;

    /// <summary>Creates a store reading the <c>*.yaml</c> files of <paramref name="directory"/>; call <see cref="Reload"/> to load.</summary>
    public PolicyStore(string directory, TimeProvider? time = null, PolicyLoadLimits? limits = null)
        : this(() => PolicyLoader.LoadDirectory(directory, limits), time)
    {
        ArgumentNullException.ThrowIfNull(directory);
    }

    /// <summary>Creates a store with its own source of policies (tests, the admin API); call <see cref="Reload"/> to load.</summary>
    public PolicyStore(Func<PolicyLoadResult> load, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(load);
        _load = load;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The snapshot in effect, or null before the first successful load (then everything is denied).</summary>
    public PolicySnapshot? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Decides with the snapshot in effect; without one, denies (<see cref="PolicyReason.NoMatchingRule"/>, enforce mode).
    /// </summary>
    public PolicyDecision Evaluate(in PolicyRequest request) =>
        Current is { } snapshot ? snapshot.Evaluator.Evaluate(request) : new PolicyDecision { Outcome = PolicyOutcome.Deny, Reason = PolicyReason.NoMatchingRule, Rule = "default-deny" };

    /// <summary>Loads the policy for start-up: throws <see cref="PolicyLoadException"/> with every error when it is invalid.</summary>
    public PolicySnapshot LoadOrThrow()
    {
        PolicyReloadResult result = Reload();
        return result.Applied ? result.Current! : throw new PolicyLoadException(result);
    }

    /// <summary>
    /// Loads the policy again. Applied only when it has no error; otherwise the last good snapshot stays and the result
    /// carries every error. At start-up, a result that is not applied means the host must refuse to start.
    /// </summary>
    public PolicyReloadResult Reload()
    {
        lock (_reloadLock)
        {
            PolicyLoadResult loaded;
            try
            {
                loaded = _load();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return new PolicyReloadResult(false, Current, [PolicyDiagnostic.Error("io", ex.Message, null)]);
            }

            if (loaded.Model is not PolicyModel model)
            {
                return new PolicyReloadResult(false, Current, loaded.Diagnostics);
            }

            var snapshot = new PolicySnapshot(new PolicyEvaluator(model), _time.GetUtcNow(), loaded.Diagnostics);
            Volatile.Write(ref _current, snapshot);
            return new PolicyReloadResult(true, snapshot, loaded.Diagnostics);
        }
    }
}
