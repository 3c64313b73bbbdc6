using Gateway.Host.DicomWeb;

namespace Gateway.Host.Tests.DicomWeb;

/// <summary>Only PS3.18 resources with valid UIDs are ever forwarded to the PACS.</summary>
public sealed class DicomWebResourceTests
{
    private const string St = "1.2.840.113619.2.55.3.2831164356";
    private const string Se = "1.2.840.113619.2.55.3.2831164356.1";
    private const string In = "1.2.840.113619.2.55.3.2831164356.1.1";

    [Theory]
    [InlineData("studies", null, null)]
    [InlineData("series", null, null)]
    [InlineData("instances", null, null)]
    [InlineData("studies/" + St + "/series", St, null)]
    [InlineData("studies/" + St + "/instances", St, null)]
    [InlineData("studies/" + St + "/series/" + Se + "/instances", St, Se)]
    public void Searches(string path, string? study, string? series)
    {
        DicomWebResource r = DicomWebResource.Classify("GET", path);
        Assert.Equal(DicomWebAction.Search, r.Action);
        Assert.Equal(study, r.Study);
        Assert.Equal(series, r.Series);
    }

    [Theory]
    [InlineData("studies/" + St)]
    [InlineData("studies/" + St + "/metadata")]
    [InlineData("studies/" + St + "/rendered")]
    [InlineData("studies/" + St + "/series/" + Se)]
    [InlineData("studies/" + St + "/series/" + Se + "/metadata")]
    [InlineData("studies/" + St + "/series/" + Se + "/instances/" + In)]
    [InlineData("studies/" + St + "/series/" + Se + "/instances/" + In + "/metadata")]
    [InlineData("studies/" + St + "/series/" + Se + "/instances/" + In + "/thumbnail")]
    [InlineData("studies/" + St + "/series/" + Se + "/instances/" + In + "/frames/1")]
    [InlineData("studies/" + St + "/series/" + Se + "/instances/" + In + "/frames/1,2,30")]
    [InlineData("studies/" + St + "/series/" + Se + "/instances/" + In + "/frames/2/rendered")]
    [InlineData("studies/" + St + "/series/" + Se + "/instances/" + In + "/bulk/7fe00010")]
    [InlineData("studies/" + St + "/series/" + Se + "/instances/" + In + "/bulk/00081140/0/00081150")]
    public void Retrieves(string path)
    {
        DicomWebResource r = DicomWebResource.Classify("GET", path);
        Assert.Equal(DicomWebAction.Retrieve, r.Action);
        Assert.Equal(St, r.Study);
        Assert.Equal(DicomWebAction.Retrieve, DicomWebResource.Classify("HEAD", path).Action);
    }

    [Theory]
    [InlineData("studies", null)]
    [InlineData("studies/" + St, St)]
    public void Stores(string path, string? study)
    {
        DicomWebResource r = DicomWebResource.Classify("POST", path);
        Assert.Equal(DicomWebAction.Store, r.Action);
        Assert.Equal(study, r.Study);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "tools/find")]
    [InlineData("GET", "studies/")]
    [InlineData("GET", "studies//series")]
    [InlineData("GET", "studies/../../app/explorer.html")]
    [InlineData("GET", "studies/1.2.abc")]
    [InlineData("GET", "studies/01.2.3")]
    [InlineData("GET", "studies/1.2.3/series/1.2.4/instances/1.2.5/frames/0")]
    [InlineData("GET", "studies/1.2.3/series/1.2.4/instances/1.2.5/frames/1,,2")]
    [InlineData("GET", "studies/1.2.3/series/1.2.4/instances/1.2.5/frames/x")]
    [InlineData("GET", "studies/1.2.3/series/1.2.4/instances/1.2.5/bulk/..%2f")]
    [InlineData("GET", "studies/1.2.3/series/1.2.4/instances/1.2.5/bulk")]
    [InlineData("GET", "studies/1.2.3/archive")]
    [InlineData("POST", "studies/1.2.3/series")]
    [InlineData("POST", "instances")]
    [InlineData("DELETE", "studies/1.2.3")]
    [InlineData("PUT", "studies")]
    public void EverythingElse_IsNotFound(string method, string path) =>
        Assert.Equal(DicomWebAction.None, DicomWebResource.Classify(method, path).Action);

    [Fact]
    public void TooManySegments_IsNotFound() =>
        Assert.Equal(DicomWebAction.None, DicomWebResource.Classify("GET", string.Join('/', Enumerable.Repeat("studies", 5000))).Action);

    [Fact]
    public void OverlongUid_IsNotFound() =>
        Assert.Equal(DicomWebAction.None, DicomWebResource.Classify("GET", "studies/1." + new string('2', 70)).Action);
}
