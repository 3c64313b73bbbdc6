using BenchmarkDotNet.Attributes;
using Gateway.Policy.Loading;

namespace Gateway.Policy.Benchmarks;

/// <summary>What a reload of the 1,000-peer, 5,000-flow policy costs: parse and validate, then compile.</summary>
[Config(typeof(BenchConfig))]
public class PolicyLoadBenchmarks
{
    private IReadOnlyList<PolicySource> _sources = null!;
    private Gateway.Policy.Model.PolicyModel _model = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sources = SyntheticSite.Sources();
        _model = PolicyLoader.Load(_sources).Model!;
    }

    [Benchmark(Description = "load + validate (YAML to model)")]
    public PolicyLoadResult Load() => PolicyLoader.Load(_sources);

    [Benchmark(Description = "compile (model to lookup tables)")]
    public PolicyEvaluator Compile() => new(_model);
}
