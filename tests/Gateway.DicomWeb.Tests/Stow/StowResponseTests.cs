using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Stow;

namespace Gateway.DicomWeb.Tests.Stow;

public sealed class StowResponseTests
{
    private const string CT = "1.2.840.10008.5.1.4.1.1.2";

    public static TheoryData<string, int> Statuses() => new()
    {
        { string.Empty, 400 },
        { "S", 200 },
        { "SS", 200 },
        { "W", 202 },
        { "SW", 202 },
        { "SF", 202 },
        { "WF", 202 },
        { "F", 409 },
        { "FF", 409 },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void HttpStatus_StoredWarnedFailed_FollowsPS3_18(string outcomes, int expected)
    {
        StowInstanceResult[] results = [.. outcomes.Select((o, i) => o switch
        {
            'S' => StowInstanceResult.Stored(CT, $"1.2.{i}"),
            'W' => StowInstanceResult.Stored(CT, $"1.2.{i}", warning: StowWarningReason.CoercionOfDataElements),
            _ => StowInstanceResult.Failed(CT, $"1.2.{i}", StowFailureReason.NotAuthorized),
        })];

        Assert.Equal(expected, StowResponse.HttpStatus(results));
    }

    [Fact]
    public void ToJson_MixedResults_WritesTheStoreInstancesResponse()
    {
        var response = new StowResponse("https://gw/dicom-web/studies/1.2.3");
        response.Add(StowInstanceResult.Stored(CT, "1.2.3.1", "https://gw/dicom-web/studies/1.2.3/series/4/instances/1.2.3.1"));
        response.Add(StowInstanceResult.Failed(CT, "1.2.3.2", StowFailureReason.NotAuthorized));
        response.Add(StowInstanceResult.Stored(CT, "1.2.3.3", warning: StowWarningReason.CoercionOfDataElements));
        response.Add(StowInstanceResult.Failed(null, null, StowFailureReason.CannotUnderstand));

        string json = response.ToJson();

        Assert.Equal(
            "{\"00081190\":{\"vr\":\"UR\",\"Value\":[\"https://gw/dicom-web/studies/1.2.3\"]}," +
            "\"00081198\":{\"vr\":\"SQ\",\"Value\":[" +
            "{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.840.10008.5.1.4.1.1.2\"]},\"00081155\":{\"vr\":\"UI\",\"Value\":[\"1.2.3.2\"]},\"00081197\":{\"vr\":\"US\",\"Value\":[292]}}," +
            "{\"00081150\":{\"vr\":\"UI\"},\"00081155\":{\"vr\":\"UI\"},\"00081197\":{\"vr\":\"US\",\"Value\":[49152]}}]}," +
            "\"00081199\":{\"vr\":\"SQ\",\"Value\":[" +
            "{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.840.10008.5.1.4.1.1.2\"]},\"00081155\":{\"vr\":\"UI\",\"Value\":[\"1.2.3.1\"]},\"00081190\":{\"vr\":\"UR\",\"Value\":[\"https://gw/dicom-web/studies/1.2.3/series/4/instances/1.2.3.1\"]}}," +
            "{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.840.10008.5.1.4.1.1.2\"]},\"00081155\":{\"vr\":\"UI\",\"Value\":[\"1.2.3.3\"]},\"00081196\":{\"vr\":\"US\",\"Value\":[45056]}}]}}",
            json);
        Assert.Equal(202, response.StatusCode);
    }

    [Fact]
    public void ToDataset_AllStored_HasNoFailedSequence()
    {
        var response = new StowResponse();
        response.Add(StowInstanceResult.Stored(CT, "1.2.3.1"));

        DicomDataset ds = DicomJsonReader.Parse(response.ToJson());

        Assert.Null(ds.GetSequence(DicomTags.FailedSOPSequence));
        Assert.False(ds.Contains(DicomTags.RetrieveURL));
        DicomDataset item = Assert.Single(ds.GetSequence(DicomTags.ReferencedSOPSequence)!.Items);
        Assert.Equal("1.2.3.1", item.GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task WriteXmlAsync_Failure_WritesTheNativeModelSequence()
    {
        var response = new StowResponse();
        response.Add(StowInstanceResult.Failed(CT, "1.2.3.2", StowFailureReason.OutOfResources));
        using var output = new MemoryStream();

        await response.WriteXmlAsync(output);

        System.Xml.Linq.XDocument doc = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(output.ToArray()));
        System.Xml.Linq.XElement failed = doc.Root!.Elements("DicomAttribute").Single(e => e.Attribute("tag")!.Value == "00081198");
        Assert.Equal("FailedSOPSequence", failed.Attribute("keyword")!.Value);
        System.Xml.Linq.XElement reason = failed.Element("Item")!.Elements("DicomAttribute").Single(e => e.Attribute("tag")!.Value == "00081197");
        Assert.Equal("42752", reason.Element("Value")!.Value);
    }

    [Theory]
    [InlineData(StowFailureReason.ProcessingFailure, 0x0110)]
    [InlineData(StowFailureReason.ClassInstanceConflict, 0x0119)]
    [InlineData(StowFailureReason.SopClassNotSupported, 0x0122)]
    [InlineData(StowFailureReason.NotAuthorized, 0x0124)]
    [InlineData(StowFailureReason.OutOfResources, 0xA700)]
    [InlineData(StowFailureReason.DatasetDoesNotMatchSopClass, 0xA900)]
    [InlineData(StowFailureReason.CannotUnderstand, 0xC000)]
    [InlineData(StowFailureReason.TransferSyntaxNotSupported, 0xC122)]
    public void ToDataset_FailureReason_IsTheStandardCode(StowFailureReason reason, int code)
    {
        var response = new StowResponse();
        response.Add(StowInstanceResult.Failed(CT, "1.2", reason));

        DicomDataset item = response.ToDataset().GetSequence(DicomTags.FailedSOPSequence)!.Items[0];

        Assert.Equal(code, item.GetInt32(DicomTags.FailureReason));
        Assert.Equal(409, response.StatusCode);
    }
}
