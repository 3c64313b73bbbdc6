using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Tests.Configuration;

public sealed class UpstreamValidationTests
{
    private static GatewayOptions Valid()
    {
        var options = new GatewayOptions();
        options.Upstreams["Pacs"] = new UpstreamOptions { AETitle = "PACS", Host = "pacs", Port = 2762 };
        options.Upstreams["Web"] = new UpstreamOptions { DicomWeb = new Uri("https://pacs.example/dicom-web/"), Token = "abc.DEF-123_~+/==" };
        options.Upstreams["Ris"] = new UpstreamOptions { AETitle = "RIS", Host = "ris", Port = 2762 };
        options.Routing.QueryRetrieve = "Web";
        options.Routing.Worklist = "Ris";
        options.Routing.ForwardTo.Add("Web");
        return options;
    }

    private static ValidateOptionsResult Validate(GatewayOptions options) => new UpstreamValidation().Validate(null, options);

    [Fact]
    public void Validate_DimseAndDicomWebUpstreams_Succeeds()
    {
        Assert.True(Validate(Valid()).Succeeded, Validate(Valid()).FailureMessage);
    }

    [Fact]
    public void Validate_TokenToALoopbackHttpOrigin_Succeeds()
    {
        GatewayOptions options = Valid();
        options.Upstreams["Web"].DicomWeb = new Uri("http://127.0.0.1:8042/dicom-web/");

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("dimse-without-host", "Gateway:Upstreams:Pacs: AETitle and Host")]
    [InlineData("both-kinds", "Gateway:Upstreams:Web: set either Host")]
    [InlineData("relative-url", "Gateway:Upstreams:Web:DicomWeb must be an absolute")]
    [InlineData("ftp-url", "Gateway:Upstreams:Web:DicomWeb must be an absolute")]
    [InlineData("credentials-in-url", "Gateway:Upstreams:Web:DicomWeb must be an absolute")]
    [InlineData("token-over-http", "Gateway:Upstreams:Web:Token is sent only to an https")]
    [InlineData("token-with-newline", "Gateway:Upstreams:Web:Token is not a bearer token")]
    [InlineData("ca-missing", "Gateway:Upstreams:Web:TrustedCa: no file")]
    [InlineData("token-on-dimse", "Gateway:Upstreams:Pacs: TrustedCa and Token apply to a DicomWeb origin only")]
    [InlineData("worklist-over-dicomweb", "Gateway:Routing:Worklist")]
    [InlineData("prefetch-over-dicomweb", "Gateway:Prefetch")]
    public void Validate_BadSetting_FailsNamingIt(string change, string named)
    {
        GatewayOptions options = Valid();
        UpstreamOptions web = options.Upstreams["Web"];
        switch (change)
        {
            case "dimse-without-host": options.Upstreams["Pacs"].Host = " "; break;
            case "both-kinds": web.Host = "pacs"; break;
            case "relative-url": web.DicomWeb = new Uri("dicom-web/", UriKind.Relative); break;
            case "ftp-url": web.DicomWeb = new Uri("ftp://pacs.example/dicom-web/"); break;
            case "credentials-in-url": web.DicomWeb = new Uri("https://user:secret@pacs.example/dicom-web/"); break;
            case "token-over-http": web.DicomWeb = new Uri("http://pacs.example/dicom-web/"); break;
            case "token-with-newline": web.Token = "abc\r\nX-Injected: 1"; break;
            case "ca-missing": web.TrustedCa = "/nonexistent/ca.pem"; break;
            case "token-on-dimse": options.Upstreams["Pacs"].Token = "abc"; break;
            case "worklist-over-dicomweb": options.Routing.Worklist = "Web"; break;
            case "prefetch-over-dicomweb": options.Prefetch.Enabled = true; break;
        }

        ValidateOptionsResult result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(named, StringComparison.Ordinal) && !f.Contains('\n', StringComparison.Ordinal));
        Assert.DoesNotContain(result.Failures!, f => f.Contains("secret", StringComparison.Ordinal) || f.Contains("abc", StringComparison.Ordinal));
    }
}
