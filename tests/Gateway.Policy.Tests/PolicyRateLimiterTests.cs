using Gateway.Policy.Tests.Support;

namespace Gateway.Policy.Tests;

/// <summary>The fixed one-minute window per principal, rule and kind.</summary>
public sealed class PolicyRateLimiterTests
{
    private static readonly DateTimeOffset Minute = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    private static PolicyDecision Allowed(int perMinute, string principal = "ct", string rule = "flow:ct-store") => new()
    {
        Outcome = PolicyOutcome.Allow,
        Reason = PolicyReason.Allowed,
        Rule = rule,
        Principal = principal,
        RateLimit = new PolicyRateLimit(perMinute, perMinute * 10, 0),
    };

    [Fact]
    public void TryAcquire_UpToTheLimit_ThenRefusedUntilTheNextMinute()
    {
        var time = new ManualTimeProvider(Minute.AddSeconds(10));
        var limiter = new PolicyRateLimiter(time);
        PolicyDecision decision = Allowed(3);

        bool[] first = [.. Enumerable.Range(0, 4).Select(_ => limiter.TryAcquire(decision, PolicyRateLimitKind.Associations))];
        time.Now = Minute.AddSeconds(59);
        bool stillFull = limiter.TryAcquire(decision, PolicyRateLimitKind.Associations);
        time.Now = Minute.AddSeconds(60);
        bool nextMinute = limiter.TryAcquire(decision, PolicyRateLimitKind.Associations);

        Assert.Equal([true, true, true, false], first);
        Assert.False(stillFull);
        Assert.True(nextMinute);
    }

    [Fact]
    public void TryAcquire_CountsOfSeveralUnits_FitOrNotAsAWhole()
    {
        var limiter = new PolicyRateLimiter(new ManualTimeProvider(Minute));
        PolicyDecision decision = Allowed(10);

        Assert.True(limiter.TryAcquire(decision, PolicyRateLimitKind.Instances, 60));
        Assert.False(limiter.TryAcquire(decision, PolicyRateLimitKind.Instances, 41));
        Assert.True(limiter.TryAcquire(decision, PolicyRateLimitKind.Instances, 40));
        Assert.False(limiter.TryAcquire(decision, PolicyRateLimitKind.Instances));
    }

    [Fact]
    public void TryAcquire_KeysAreSeparate()
    {
        var limiter = new PolicyRateLimiter(new ManualTimeProvider(Minute));

        Assert.True(limiter.TryAcquire(Allowed(1), PolicyRateLimitKind.Associations));
        Assert.False(limiter.TryAcquire(Allowed(1), PolicyRateLimitKind.Associations));
        Assert.True(limiter.TryAcquire(Allowed(1, principal: "mr"), PolicyRateLimitKind.Associations));
        Assert.True(limiter.TryAcquire(Allowed(1, rule: "flow:other"), PolicyRateLimitKind.Associations));
        Assert.True(limiter.TryAcquire(Allowed(1), PolicyRateLimitKind.Instances));
    }

    [Fact]
    public void TryAcquire_NoLimit_AlwaysFitsAndHoldsNoWindow()
    {
        var limiter = new PolicyRateLimiter(new ManualTimeProvider(Minute));

        for (int i = 0; i < 1000; i++)
        {
            Assert.True(limiter.TryAcquire(Allowed(0), PolicyRateLimitKind.Associations));
        }

        Assert.Equal(0, limiter.Count);
    }

    [Fact]
    public void TryAcquire_DeniedDecision_NeverFits()
    {
        var limiter = new PolicyRateLimiter(new ManualTimeProvider(Minute));

        Assert.False(limiter.TryAcquire(Allowed(5) with { Outcome = PolicyOutcome.Deny }, PolicyRateLimitKind.Associations));
    }

    [Fact]
    public void TryAcquire_ManyThreads_GrantExactlyTheLimit()
    {
        var limiter = new PolicyRateLimiter(new ManualTimeProvider(Minute));
        PolicyDecision decision = Allowed(1000);
        int granted = 0;

        Parallel.For(0, 5000, _ =>
        {
            if (limiter.TryAcquire(decision, PolicyRateLimitKind.Associations))
            {
                Interlocked.Increment(ref granted);
            }
        });

        Assert.Equal(1000, granted);
    }

    [Fact]
    public void Sweep_RemovesWindowsOfPastMinutes()
    {
        var time = new ManualTimeProvider(Minute);
        var limiter = new PolicyRateLimiter(time);
        limiter.TryAcquire(Allowed(5), PolicyRateLimitKind.Associations);
        time.Advance(TimeSpan.FromMinutes(3));
        limiter.TryAcquire(Allowed(5, principal: "mr"), PolicyRateLimitKind.Associations);

        limiter.Sweep();

        Assert.Equal(1, limiter.Count);
    }

    [Fact]
    public void TryAcquire_WithTheEvaluatorsDecision_UsesTheFlowLimit()
    {
        PolicyEvaluator evaluator = Policies.Compile(Policies.Site);
        var limiter = new PolicyRateLimiter(new ManualTimeProvider(Minute));
        PolicyDecision decision = evaluator.Evaluate(Requests.CtStore());

        int granted = Enumerable.Range(0, 20).Count(_ => limiter.TryAcquire(decision, PolicyRateLimitKind.Associations));

        Assert.Equal(10, granted);
    }
}
