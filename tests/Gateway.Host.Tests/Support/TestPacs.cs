using System.Net.Http.Headers;
using Gateway.Dicom.Network.Interop.Tests.Support;

namespace Gateway.Host.Tests.Support;

/// <summary>Orthanc as the PACS, over mutual TLS with the development PKI of the gateway that will run in a root directory.</summary>
internal static class TestPacs
{
    /// <summary>
    /// Creates the development PKI of a gateway in <paramref name="gatewayRoot"/> and starts Orthanc (AE title PACS) in
    /// <paramref name="directory"/>, trusting that PKI's CA and presenting the gateway's own certificate.
    /// </summary>
    public static Task<OrthancServer> StartAsync(string directory, string gatewayRoot)
    {
        string certs = GatewayProcess.CreatePki(gatewayRoot);
        return OrthancServer.StartAsync(directory, "PACS", [], (Path.Combine(certs, "gateway.crt"), Path.Combine(certs, "gateway.key"), Path.Combine(certs, "ca.crt")));
    }

    /// <summary>
    /// <see cref="StartAsync"/> in <c>TEMP/orthanc</c>, with the test studies written to <c>TEMP/source</c> and stored in
    /// the PACS.
    /// </summary>
    public static async Task<(OrthancServer Pacs, string Source)> StartWithTestStudiesAsync(TempDirectory temp, string gatewayRoot)
    {
        OrthancServer pacs = await StartAsync(temp.Sub("orthanc"), gatewayRoot);
        string source = temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        await UploadAsync(pacs, source);
        return (pacs, source);
    }

    /// <summary>Stores every file of <paramref name="directory"/> in <paramref name="pacs"/> over its REST API.</summary>
    public static async Task UploadAsync(OrthancServer pacs, string directory)
    {
        foreach (string file in Directory.GetFiles(directory))
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            (await pacs.Http.PostAsync("instances", content)).EnsureSuccessStatusCode();
        }
    }
}
