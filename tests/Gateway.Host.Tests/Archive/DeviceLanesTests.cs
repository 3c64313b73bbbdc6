using Gateway.Host.Archive;

namespace Gateway.Host.Tests.Archive;

public sealed class DeviceLanesTests
{
    [Fact]
    public void Live_And_Prefetch_ShortTitle_ArePrefixedTitle()
    {
        Assert.Equal("@REVIEW1", DeviceLanes.Live("REVIEW1"));
        Assert.Equal("+REVIEW1", DeviceLanes.Prefetch(" REVIEW1 "));
        Assert.Equal("@ABCDEFGHIJKLMNO", DeviceLanes.Live("ABCDEFGHIJKLMNO"));
    }

    [Fact]
    public void Live_SixteenCharacterTitles_AreSixteenCharactersAndDistinct()
    {
        string a = DeviceLanes.Live("ABCDEFGHIJKLMNOP");
        string b = DeviceLanes.Live("ABCDEFGHIJKLMNOQ");

        Assert.Equal(16, a.Length);
        Assert.Equal(16, b.Length);
        Assert.StartsWith("@ABCDEFGHI", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
        Assert.Equal(a, DeviceLanes.Live("ABCDEFGHIJKLMNOP"));
    }

    [Fact]
    public void DeviceOf_FindsTheDeviceOfEitherLane_AndNothingForOtherNames()
    {
        string[] devices = ["REVIEW1", "ABCDEFGHIJKLMNOP", "BAD\\AE"];

        Assert.Equal("REVIEW1", DeviceLanes.DeviceOf("@REVIEW1", devices));
        Assert.Equal("REVIEW1", DeviceLanes.DeviceOf("+REVIEW1", devices));
        Assert.Equal("ABCDEFGHIJKLMNOP", DeviceLanes.DeviceOf(DeviceLanes.Prefetch("ABCDEFGHIJKLMNOP"), devices));
        Assert.Null(DeviceLanes.DeviceOf("REVIEW1", devices));
        Assert.Null(DeviceLanes.DeviceOf("@REVIEW2", devices));
        Assert.Null(DeviceLanes.DeviceOf("pacs", devices));
        Assert.Null(DeviceLanes.DeviceOf(string.Empty, devices));
    }

    [Fact]
    public void IsPrefetchLane_OnlyThePrefetchPrefix()
    {
        Assert.True(DeviceLanes.IsPrefetchLane("+REVIEW1"));
        Assert.False(DeviceLanes.IsPrefetchLane("@REVIEW1"));
        Assert.False(DeviceLanes.IsPrefetchLane("Pacs"));
        Assert.True(DeviceLanes.IsDeviceLane("@REVIEW1"));
        Assert.False(DeviceLanes.IsDeviceLane("Pacs"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ABCDEFGHIJKLMNOPQ")]
    [InlineData("BAD\\AE")]
    [InlineData("TAB\tAE")]
    public void Live_NotAnAETitle_Throws(string aeTitle)
    {
        Assert.False(DeviceLanes.IsAETitle(aeTitle));
        Assert.Throws<ArgumentException>(() => DeviceLanes.Live(aeTitle));
    }
}
