using System.Net;
using Gateway.Host.DicomWeb;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests.DicomWeb;

/// <summary>The origin's client warns once when the origin's keep-alive is too short for .NET to reuse a connection.</summary>
public sealed class ShortKeepAliveWarningTests
{
    [Theory]
    [InlineData("timeout=1", 1)]
    [InlineData("timeout=5, max=100", 5)]
    [InlineData("max=100, Timeout=0", 0)]
    [InlineData("max=100", -1)]
    [InlineData("timeout=", -1)]
    [InlineData("timeout=-3", -1)]
    [InlineData("timeout=99999999999", -1)]
    [InlineData(null, -1)]
    public void TimeoutSeconds_ReadsTheTimeoutParameter(string? header, int expected)
    {
        using HttpResponseMessage answer = Answer(header);

        Assert.Equal(expected, ShortKeepAliveWarning.TimeoutSeconds(answer));
    }

    [Theory]
    [InlineData("timeout=1", 1)]
    [InlineData("timeout=0", 1)]
    [InlineData("timeout=2", 0)]
    [InlineData(null, 0)]
    public async Task SendAsync_WarnsOnceWhenTheTimeoutIsASecondOrLess_AndPassesEveryResponseOn(string? header, int warnings)
    {
        var logger = new RecordingLogger<ShortKeepAliveWarningTests>();
        using var invoker = new HttpMessageInvoker(new ShortKeepAliveWarning(new Answering(header), logger));

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://pacs.example/dicom-web/studies"), CancellationToken.None);
            Assert.Equal("answer", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(warnings, logger.Count(2515));
    }

    private static HttpResponseMessage Answer(string? keepAlive)
    {
        var answer = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("answer") };
        if (keepAlive is not null)
        {
            answer.Headers.TryAddWithoutValidation("Keep-Alive", keepAlive);
        }

        return answer;
    }

    private sealed class Answering(string? keepAlive) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(Answer(keepAlive));
    }
}
