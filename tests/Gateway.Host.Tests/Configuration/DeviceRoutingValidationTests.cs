using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Tests.Configuration;

public sealed class DeviceRoutingValidationTests
{
    private static GatewayOptions Valid()
    {
        var options = new GatewayOptions();
        options.Devices["REVIEW1"] = new DeviceOptions { Host = "10.20.0.31", Port = 104 };
        options.Upstreams["Pacs"] = new UpstreamOptions { AETitle = "PACS", Host = "pacs", Port = 2762 };
        options.Prefetch.Enabled = true;
        options.Prefetch.Destination = "REVIEW1";
        options.Prefetch.Service = "pacs";
        options.Prefetch.Modalities.Add("CT");
        options.Prefetch.BodyParts.Add("CHEST");
        return options;
    }

    private static ValidateOptionsResult Validate(GatewayOptions options) => new DeviceRoutingValidation().Validate(null, options);

    [Fact]
    public void Validate_CompleteSettings_Succeeds()
    {
        Assert.True(Validate(Valid()).Succeeded);
    }

    [Fact]
    public void Validate_PrefetchDisabled_DoesNotCheckPrefetchSettings()
    {
        GatewayOptions options = Valid();
        options.Prefetch.Enabled = false;
        options.Prefetch.Destination = null;
        options.Prefetch.MostRecent = 0;

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("destination-missing", "Gateway:Prefetch:Destination")]
    [InlineData("destination-unknown", "Gateway:Prefetch:Destination")]
    [InlineData("service-missing", "Gateway:Prefetch:Service")]
    [InlineData("most-recent-zero", "Gateway:Prefetch:MostRecent")]
    [InlineData("interval-zero", "Gateway:Prefetch:Interval")]
    [InlineData("lead-negative", "Gateway:Prefetch:LeadTime")]
    [InlineData("wildcard-modality", "'C*'")]
    [InlineData("lowercase-body-part", "'chest'")]
    [InlineData("upstream-looks-like-a-lane", "Gateway:Upstreams:@Pacs")]
    [InlineData("device-not-an-ae-title", "Gateway:Devices:BAD\\AE")]
    [InlineData("device-without-host", "Gateway:Devices:REVIEW1")]
    [InlineData("device-is-the-gateway", "Gateway:Devices:GATEWAY")]
    [InlineData("close-delay-negative", "Gateway:Routing:AssociationCloseDelay")]
    [InlineData("close-delay-over-an-hour", "Gateway:Routing:AssociationCloseDelay")]
    public void Validate_BadSetting_FailsNamingIt(string change, string named)
    {
        GatewayOptions options = Valid();
        switch (change)
        {
            case "destination-missing": options.Prefetch.Destination = null; break;
            case "close-delay-negative": options.Routing.AssociationCloseDelay = TimeSpan.FromSeconds(-1); break;
            case "close-delay-over-an-hour": options.Routing.AssociationCloseDelay = TimeSpan.FromMinutes(61); break;
            case "destination-unknown": options.Prefetch.Destination = "REVIEW2"; break;
            case "service-missing": options.Prefetch.Service = " "; break;
            case "most-recent-zero": options.Prefetch.MostRecent = 0; break;
            case "interval-zero": options.Prefetch.Interval = TimeSpan.Zero; break;
            case "lead-negative": options.Prefetch.LeadTime = TimeSpan.FromHours(-1); break;
            case "wildcard-modality": options.Prefetch.Modalities.Add("C*"); break;
            case "lowercase-body-part": options.Prefetch.BodyParts.Add("chest"); break;
            case "upstream-looks-like-a-lane": options.Upstreams["@Pacs"] = new UpstreamOptions { AETitle = "X", Host = "x" }; break;
            case "device-not-an-ae-title": options.Devices["BAD\\AE"] = new DeviceOptions { Host = "10.0.0.1" }; break;
            case "device-without-host": options.Devices["REVIEW1"].Host = string.Empty; break;
            case "device-is-the-gateway": options.Devices["GATEWAY"] = new DeviceOptions { Host = "10.0.0.1" }; break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }

        ValidateOptionsResult result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
    }
}
