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

    private static HttpResponseMessage Answer()
    {
        var answer = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("[{\"0020000D\":{\"vr\":\"UI\"}}]") };
        answer.Headers.TryAddWithoutValidation("X-Pacs", "answer");
        answer.Content.Headers.TryAddWithoutValidation("Content-Type", "application/dicom+json");
        return answer;
    }
}
