namespace Gateway.DicomWeb.Tests.Support;

/// <summary>Tests that measure the process's allocations: they run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
