namespace Gateway.Host.Tests.Support;

/// <summary>
/// Tests that read figures from /metrics run alone, after the parallel ones. Every gateway in this process creates
/// instruments of the same names on a meter of the same name, and each gateway's OpenTelemetry provider listens to all of
/// them: identical instruments share one metric stream, which belongs to the instrument seen first. When the gateway of
/// another test that owned that stream stopped, the stream was dropped with it, and our gateway's samples never appeared
/// (seen in CI: λ missing for two minutes). One gateway per process, as in production, has no such sharing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
