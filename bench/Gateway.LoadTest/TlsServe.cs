using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.Dicom.Network.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.LoadTest;

/// <summary>
/// <c>tls-serve FILE PORT CERT KEY</c>: serves one file from memory at <c>/file</c> over Kestrel's HTTPS with the
/// gateway's TLS settings (protocols and cipher suites), and nothing else: no policy, no audit, no upstream. The DICOMweb
/// bench uses it to measure what the web server and TLS stack alone cost on the machine, beside the gateway.
/// </summary>
internal static class TlsServe
{
    public static async Task<int> RunAsync(string file, int port, string certificate, string key)
    {
        byte[] body = await File.ReadAllBytesAsync(file);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = X509Certificate2.CreateFromPemFile(certificate, key);
                https.SslProtocols = DicomTlsOptions.Protocols;
                https.OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = DicomTlsOptions.CreateCipherSuitesPolicy();
            }));
        });
        WebApplication app = builder.Build();

        // In 64 KiB writes, as the gateway's proxy copies a response.
        app.MapGet("/file", async (HttpContext context) =>
        {
            for (int offset = 0; offset < body.Length; offset += 65536)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(65536, body.Length - offset)), context.RequestAborted);
            }
        });
        await app.RunAsync();
        return 0;
    }
}
