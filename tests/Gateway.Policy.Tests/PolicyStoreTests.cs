using Gateway.Policy.Loading;
using Gateway.Policy.Tests.Support;

namespace Gateway.Policy.Tests;

/// <summary>Reload swaps an immutable snapshot only when the new policy is valid; otherwise the last good one stays.</summary>
public sealed class PolicyStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policy-store-").FullName;
    private readonly ManualTimeProvider _time = new(Requests.Tuesday10);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reload_ValidPolicy_TakesEffect()
    {
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), Policies.Site);
        var store = new PolicyStore(_dir, _time);

        PolicyReloadResult result = store.Reload();

        Assert.True(result.Applied);
        Assert.Same(result.Current, store.Current);
        Assert.Equal(Requests.Tuesday10, store.Current!.LoadedAt);
        Assert.Equal(PolicyOutcome.Allow, store.Evaluate(Requests.CtStore()).Outcome);
    }

    [Fact]
    public void Reload_InvalidChange_KeepsTheLastGoodPolicyAndReportsEveryError()
    {
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), Policies.Site);
        var store = new PolicyStore(_dir, _time);
        PolicySnapshot good = store.Reload().Current!;
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), Policies.Site.Replace("sop-classes: [ct, sr]", "sop-classes: [ct, sr, mr]", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_dir, "zz-broken.yaml"), "flows:\n  - {name: x, from: nobody, to: pacs, operations: [fly]}\n");
        _time.Advance(TimeSpan.FromMinutes(5));

        PolicyReloadResult result = store.Reload();

        Assert.False(result.Applied);
        Assert.Same(good, result.Current);
        Assert.Same(good, store.Current);
        Assert.Equal(2, result.Diagnostics.Count(d => d.IsError));
        Assert.StartsWith("policy not reloaded: 2 errors; the policy loaded at 2025-03-04T10:00:00.0000000+00:00 stays in effect", result.Summary, StringComparison.Ordinal);
        // The valid half of the change (MR for the CT) did not take effect either.
        Assert.Equal(PolicyOutcome.Deny, store.Evaluate(Requests.CtStore(Requests.MR)).Outcome);
    }

    [Fact]
    public void Reload_AfterAFix_TakesEffect()
    {
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), "flows: [");
        var store = new PolicyStore(_dir, _time);
        Assert.False(store.Reload().Applied);
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), Policies.Site);

        Assert.True(store.Reload().Applied);
        Assert.Equal(PolicyOutcome.Allow, store.Evaluate(Requests.CtStore()).Outcome);
    }

    [Fact]
    public void Reload_InvalidAtStartUp_LeavesNoPolicyAndEverythingDenied()
    {
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), "mode: chaos");
        var store = new PolicyStore(_dir, _time);

        PolicyReloadResult result = store.Reload();

        Assert.False(result.Applied);
        Assert.Null(store.Current);
        Assert.StartsWith("policy not loaded: 1 errors; no policy is in effect", result.Summary, StringComparison.Ordinal);
        Assert.Equal(PolicyOutcome.Deny, store.Evaluate(Requests.CtStore()).Outcome);
    }

    [Fact]
    public void Reload_SourceThrowsIOException_KeepsTheLastGoodPolicy()
    {
        int calls = 0;
        var store = new PolicyStore(() => ++calls == 1 ? Policies.Load(Policies.Site) : throw new IOException("disk gone"), _time);
        PolicySnapshot good = store.Reload().Current!;

        PolicyReloadResult result = store.Reload();

        Assert.False(result.Applied);
        Assert.Same(good, store.Current);
        Assert.Equal("io", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public async Task Reload_WhileReadersDecide_EveryDecisionComesFromOneWholePolicy()
    {
        // Two policies that differ in two places; a reader must never see one change without the other.
        PolicyLoadResult a = Policies.Load(Policies.Site);
        PolicyLoadResult b = Policies.Load(Policies.Site
            .Replace("sop-classes: [ct, sr]", "sop-classes: [ct, sr, mr]", StringComparison.Ordinal)
            .Replace("sop-classes: [us]", "sop-classes: [us, mr]", StringComparison.Ordinal));
        int n = 0;
        var store = new PolicyStore(() => Interlocked.Increment(ref n) % 2 == 0 ? b : a, _time);
        store.Reload();
        using var stop = new CancellationTokenSource();
        Task reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                PolicyEvaluator evaluator = store.Current!.Evaluator;
                bool ct = evaluator.Evaluate(Requests.CtStore(Requests.MR)).IsAllowed;
                bool us = evaluator.Evaluate(Requests.Dimse(PolicyOperation.Store, "US01", "10.1.0.31", sopClass: Requests.MR)).IsAllowed;
                Assert.Equal(ct, us);
            }
        });

        for (int i = 0; i < 200; i++)
        {
            store.Reload();
        }

        await stop.CancelAsync();
        await reader;
    }
}
