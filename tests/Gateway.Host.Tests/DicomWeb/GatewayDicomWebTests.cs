using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

namespace Gateway.Host.Tests.DicomWeb;

/// <summary>
/// QIDO-RS and WADO-RS through the gateway to Orthanc's DICOMweb: a client-credentials token from the gateway's own
/// OpenIddict server, the policy's roles, audit records before disclosure, and nothing forwarded that is not DICOMweb.
/// </summary>
public sealed class GatewayDicomWebTests : IDisposable
{
    // The default test policy with a DICOMweb service, a role that may search and retrieve, one that may only store,
    // and a client in each.
    private static readonly string Policy = GatewayProcess.DefaultPolicy.Replace(
        "\nflows:",
        "\n  - name: dicomweb\n    kind: dicomweb\nflows:",
        StringComparison.Ordinal) + """

        roles:
          - name: viewer
            grants:
              - services: [dicomweb]
                operations: [qido, wado]
          - name: uploader
            grants:
              - services: [dicomweb]
                operations: [stow]
        clients:
          - name: viewer-app
            client-id: viewer-app
            roles: [viewer]
          - name: upload-app
            client-id: upload-app
            roles: [uploader]
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SearchAndRetrieve_WithAToken_ReachOrthancAndAreAudited_OthersAreRefused()
    {
        string root = _temp.Sub("gateway");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("pacs"), root);
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        await TestPacs.UploadAsync(pacs, source);

        string data = Path.Combine(root, "data");
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, new Dictionary<string, string?>
        {
            ["Gateway:DicomWeb:Origin"] = $"http://127.0.0.1:{pacs.HttpPort}/dicom-web/",
        }, Policy);
        await using (gateway)
        {
            await ExerciseAsync(gateway, data, pacs.HttpPort);
        }

        // After shutdown the audit log is signed up to its last record, so it verifies before it is searched.
        IReadOnlyList<string> queries = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.Query);
        Assert.Contains(queries, q => q.Contains("viewer-app", StringComparison.Ordinal));
        IReadOnlyList<string> accessed = await GatewayAuditLog.SearchAsync(data, "110103");
        Assert.Contains(accessed, a => a.Contains(TestStudies.Study1, StringComparison.Ordinal) && a.Contains("viewer-app", StringComparison.Ordinal));
        IReadOnlyList<string> alerts = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.SecurityAlert);
        Assert.Contains(alerts, a => a.Contains("upload-app", StringComparison.Ordinal));
    }

    private static async Task ExerciseAsync(GatewayProcess gateway, string data, int pacsHttpPort)
    {
        string study = TestStudies.Study1;
        using var https = new GatewayHttps(gateway);

        string viewerSecret = await AddClientAsync(data, gateway, "viewer-app");
        string uploaderSecret = await AddClientAsync(data, gateway, "upload-app");
        string token = await TokenAsync(https.Http, "viewer-app", viewerSecret);

        // No token: 401, nothing forwarded.
        using (HttpResponseMessage anonymous = await https.Http.GetAsync("dicom-web/studies"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        // QIDO-RS: the study is found.
        using (HttpRequestMessage search = Get($"dicom-web/studies?StudyInstanceUID={study}", token, "application/dicom+json"))
        using (HttpResponseMessage found = await https.Http.SendAsync(search))
        {
            string body = await found.Content.ReadAsStringAsync();
            Assert.True(found.StatusCode == HttpStatusCode.OK, body);
            using JsonDocument json = JsonDocument.Parse(body);
            Assert.Equal(study, json.RootElement[0].GetProperty("0020000D").GetProperty("Value")[0].GetString());
        }

        // WADO-RS metadata: every instance of the study, and retrieve URLs pointing at the gateway, not at Orthanc.
        using (HttpRequestMessage metadata = Get($"dicom-web/studies/{study}/metadata", token, "application/dicom+json"))
        using (HttpResponseMessage read = await https.Http.SendAsync(metadata))
        {
            string body = await read.Content.ReadAsStringAsync();
            Assert.True(read.StatusCode == HttpStatusCode.OK, body);
            using JsonDocument json = JsonDocument.Parse(body);
            Assert.Equal(TestStudies.InStudy(study).Count(), json.RootElement.GetArrayLength());
            Assert.DoesNotContain($":{pacsHttpPort}/", body, StringComparison.Ordinal);
        }

        // Not a DICOMweb resource: 404 from the gateway (Orthanc's /dicom-web/servers would answer).
        using (HttpResponseMessage other = await https.Http.SendAsync(Get("dicom-web/servers", token, "application/json")))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        // A client whose role may only store: 403 and a Security Alert.
        string uploaderToken = await TokenAsync(https.Http, "upload-app", uploaderSecret);
        using (HttpResponseMessage denied = await https.Http.SendAsync(Get("dicom-web/studies", uploaderToken, "application/dicom+json")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }
    }

    private static HttpRequestMessage Get(string uri, string token, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return request;
    }

    private static async Task<string> AddClientAsync(string data, GatewayProcess gateway, string clientId)
    {
        (int exit, string output) = await Gatewayctl.RunAsync("identity", "client", "add", clientId, "--kind", "service", "--data", data, "--policy", Path.Combine(gateway.Root, "policies"));
        Assert.True(exit == 0, output);
        string line = output.Split('\n').Single(l => l.StartsWith("secret: ", StringComparison.Ordinal));
        return line["secret: ".Length..].Trim();
    }

    private static async Task<string> TokenAsync(HttpClient http, string clientId, string secret)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        });
        using HttpResponseMessage response = await http.PostAsync("connect/token", form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using JsonDocument json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }
}
