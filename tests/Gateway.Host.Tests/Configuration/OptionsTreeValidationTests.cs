using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Configuration;
using Gateway.Host.Tests.Support;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Tests.Configuration;

/// <summary>
/// The <c>[Range]</c> and <c>[Required]</c> of nested sections, dictionary values and list items are applied, and each
/// error names the setting by its configuration path. Before, only the top level of <c>Gateway</c> was checked: a VLAN
/// port of 0 or a negative free-space floor went through.
/// </summary>
public sealed class OptionsTreeValidationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static ValidateOptionsResult Validate(GatewayOptions options) =>
        new OptionsTreeValidation<GatewayOptions>(GatewayOptions.Section).Validate(null, options);

    private static GatewayOptions Site()
    {
        var options = new GatewayOptions();
        options.Upstreams["pacs"] = new UpstreamOptions { AETitle = "PACS", Host = "pacs.hospital.example", Port = 2762 };
        options.Devices["CT01"] = new DeviceOptions { Host = "10.20.0.11", Port = 104 };
        return options;
    }

    [Fact]
    public void Validate_TheDefaultsAndAValidSite_Succeed()
    {
        Assert.True(Validate(new GatewayOptions()).Succeeded, Validate(new GatewayOptions()).FailureMessage);
        Assert.True(Validate(Site()).Succeeded, Validate(Site()).FailureMessage);
    }

    public static TheoryData<string, Action<GatewayOptions>> Invalid => new()
    {
        { "Gateway:Vlan:Port:", o => o.Vlan.Port = 0 },
        { "Gateway:Clinical:Port:", o => o.Clinical.Port = 70000 },
        { "Gateway:Vlan:MaxAssociations:", o => o.Vlan.MaxAssociations = 0 },
        { "Gateway:Clinical:MaxConnectionsPerAddress:", o => o.Clinical.MaxConnectionsPerAddress = -1 },
        { "Gateway:Vlan:Address:", o => o.Vlan.Address = "" },
        { "Gateway:Https:Port:", o => o.Https.Port = 0 },
        { "Gateway:Backpressure:MinimumFreeBytes:", o => o.Backpressure.MinimumFreeBytes = -1 },
        { "Gateway:Backpressure:MaxOutboxDepth:", o => o.Backpressure.MaxOutboxDepth = 0 },
        { "Gateway:Audit:SegmentPreallocationBytes:", o => o.Audit.SegmentPreallocationBytes = -1 },
        { "Gateway:Upstreams:pacs:TimeoutSeconds:", o => o.Upstreams["pacs"].TimeoutSeconds = 0 },
        { "Gateway:Upstreams:pacs:Port:", o => o.Upstreams["pacs"].Port = 65536 },
        { "Gateway:Devices:CT01:Host:", o => o.Devices["CT01"].Host = "" },
        { "Gateway:AETitle:", o => o.AETitle = "" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_AnOutOfRangeNestedSetting_FailsNamingItsConfigurationPath(string named, Action<GatewayOptions> spoil)
    {
        GatewayOptions options = Site();
        spoil(options);

        ValidateOptionsResult result = Validate(options);

        Assert.True(result.Failed);
        string failure = Assert.Single(result.Failures!);
        Assert.StartsWith(named, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralBadSettings_NamesEveryOne()
    {
        GatewayOptions options = Site();
        options.Vlan.Port = 0;
        options.Upstreams["pacs"].TimeoutSeconds = 0;
        options.Backpressure.MinimumFreeBytes = -5;

        ValidateOptionsResult result = Validate(options);

        Assert.Equal(
            ["Gateway:Backpressure:MinimumFreeBytes", "Gateway:Upstreams:pacs:TimeoutSeconds", "Gateway:Vlan:Port"],
            result.Failures!.Select(f => f[..f.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Gateway:Vlan:Port", "0")]
    [InlineData("Gateway:Backpressure:MinimumFreeBytes", "-1")]
    public async Task Start_WithAnOutOfRangeNestedSetting_RefusesNamingTheSetting(string setting, string value)
    {
        OptionsValidationException refused = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayProcess.StartAsync(
            _temp.Sub("gateway"), new Dictionary<string, string?> { [setting] = value }));

        Assert.Contains(setting + ": ", refused.Message, StringComparison.Ordinal);
    }
}
