namespace Gateway.Archive.Tests;

/// <summary>Tests that must not run beside others: they change process environment variables or measure process-wide allocations.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
