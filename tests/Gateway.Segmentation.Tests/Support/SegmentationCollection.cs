namespace Gateway.Segmentation.Tests.Support;

/// <summary>The test classes that share one <see cref="SegmentedNetwork"/> (and so run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class SegmentationCollection : ICollectionFixture<SegmentedNetwork>
{
    public const string Name = "segmented network";
}
