using Gateway.Policy.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Policy.Tests;

/// <summary>AddGatewayPolicy: the store loads when resolved and refuses an invalid policy.</summary>
public sealed class PolicyServiceCollectionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policy-di-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Resolve_ValidPolicy_StoreIsLoadedWithTheRegisteredClock()
    {
        File.WriteAllText(Path.Combine(_dir, "site.yaml"), Policies.Site);
        var time = new ManualTimeProvider(Requests.Tuesday10);
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddGatewayPolicy(new PolicyOptions { Directory = _dir })
            .BuildServiceProvider();

        PolicyStore store = provider.GetRequiredService<PolicyStore>();

        Assert.Equal(Requests.Tuesday10, store.Current!.LoadedAt);
        Assert.Equal(PolicyOutcome.Allow, store.Evaluate(Requests.CtStore()).Outcome);
        Assert.NotNull(provider.GetRequiredService<PolicyRateLimiter>());
    }

    [Fact]
    public void Resolve_InvalidPolicy_ThrowsWithEveryError()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "mode: chaos\n");
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), "timezone: Nowhere/Else\n");
        using ServiceProvider provider = new ServiceCollection().AddGatewayPolicy(new PolicyOptions { Directory = _dir }).BuildServiceProvider();

        PolicyLoadException error = Assert.Throws<PolicyLoadException>(provider.GetRequiredService<PolicyStore>);

        Assert.Equal(2, error.Diagnostics.Count(d => d.IsError));
        Assert.StartsWith("policy not loaded: 2 errors", error.Message, StringComparison.Ordinal);
    }
}
