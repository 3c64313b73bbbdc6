using System.Net;
using Gateway.Audit;
using Gateway.Host.DicomWeb;
using Microsoft.AspNetCore.Http;

namespace Gateway.Host.Tests.DicomWeb;

/// <summary>
/// The audit record is appended while the PACS answers, so the answer must wait for it: not one header of the PACS's
/// response reaches the caller before the record is durable, and none at all if the log refused it.
/// </summary>
public sealed class DicomWebProxyTransformerTests
{
    private static readonly Uri Root = new("http://pacs.example/dicom-web/");

    [Fact]
    public async Task Response_WaitsForTheAuditRecord_ThenPassesOn()
    {
        var record = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var transformer = new DicomWebProxy.Transformer(Root, "studies", record.Task);
        var context = new DefaultHttpContext();
        using HttpResponseMessage answer = Answer();

        ValueTask<bool> passed = transformer.TransformResponseAsync(context, answer, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(passed.IsCompleted);
        Assert.False(context.Response.Headers.ContainsKey("X-Pacs"));

        record.SetResult();
        Assert.True(await passed);
        Assert.Equal("answer", context.Response.Headers["X-Pacs"].ToString());
    }

    [Fact]
    public async Task Response_IsNotPassedOn_WhenTheAuditLogRefusedTheRecord()
    {
        var transformer = new DicomWebProxy.Transformer(Root, "studies", Task.FromException(new AuditLogException("disk full")));
        var context = new DefaultHttpContext();
        using HttpResponseMessage answer = Answer();

        Assert.False(await transformer.TransformResponseAsync(context, answer, CancellationToken.None));
        Assert.False(context.Response.Headers.ContainsKey("X-Pacs"));
        Assert.False(context.Response.Headers.ContainsKey("Content-Type"));
    }

    [Fact]
    public async Task Response_IsShownToTheObserverBeforeItIsPassedOn_NotWhenTheRecordWasRefused()
    {
        var seen = new List<HttpResponseMessage>();
        using HttpResponseMessage answer = Answer();
        var passing = new DicomWebProxy.Transformer(Root, "studies", Task.CompletedTask, seen.Add);
        var refused = new DicomWebProxy.Transformer(Root, "studies", Task.FromException(new AuditLogException("disk full")), seen.Add);

        Assert.False(await refused.TransformResponseAsync(new DefaultHttpContext(), answer, CancellationToken.None));
        Assert.Empty(seen);
        Assert.True(await passing.TransformResponseAsync(new DefaultHttpContext(), answer, CancellationToken.None));
        Assert.Same(answer, Assert.Single(seen));
    }

    [Theory]
    [InlineData("timeout=1", 1)]
    [InlineData("timeout=5, max=100", 5)]
    [InlineData("max=100, Timeout=0", 0)]
    [InlineData("max=100", -1)]
    [InlineData("timeout=", -1)]
    [InlineData("timeout=-3", -1)]
    [InlineData("timeout=99999999999", -1)]
    [InlineData(null, -1)]
    public void KeepAliveTimeoutSeconds_ReadsTheTimeoutParameter(string? header, int expected)
    {
        using HttpResponseMessage answer = Answer();
        if (header is not null)
        {
            answer.Headers.TryAddWithoutValidation("Keep-Alive", header);
        }

        Assert.Equal(expected, DicomWebProxy.KeepAliveTimeoutSeconds(answer));
    }

    private static HttpResponseMessage Answer()
    {
        var answer = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("[{\"0020000D\":{\"vr\":\"UI\"}}]") };
        answer.Headers.TryAddWithoutValidation("X-Pacs", "answer");
        answer.Content.Headers.TryAddWithoutValidation("Content-Type", "application/dicom+json");
        return answer;
    }
}
