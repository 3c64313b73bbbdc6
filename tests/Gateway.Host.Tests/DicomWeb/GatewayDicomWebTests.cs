using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;

using Gateway.Host.DicomWeb;

namespace Gateway.Host.Tests.DicomWeb;

/// <summary>
/// QIDO-RS and WADO-RS through the gateway to Orthanc's DICOMweb: a client-credentials token from the gateway's own
/// OpenIddict server, the policy's roles, audit records before disclosure, and nothing forwarded that is not DICOMweb.
/// </summary>
public sealed class GatewayDicomWebTests : IDisposable
{
    // The default test policy with a DICOMweb service, a role that may search and retrieve, one that may only store,
    // and a client in each.
    internal static readonly string Policy = GatewayProcess.DefaultPolicy.Replace(
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
          - name: searcher
            grants:
              - services: [dicomweb]
                operations: [qido]
        clients:
          - name: viewer-app
            client-id: viewer-app
            roles: [viewer]
          - name: upload-app
            client-id: upload-app
            roles: [uploader]
          - name: search-app
            client-id: search-app
            roles: [searcher]
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

    [Fact]
    public async Task Stow_StoresEachAllowedInstance_ReportsEveryPart_AndForwardsToThePacs()
    {
        string root = _temp.Sub("gateway");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("pacs"), root);
        string source = _temp.Sub("source");
        TestInstance[] study1 = [.. TestStudies.InStudy(TestStudies.Study1).Take(2)];
        string[] files = [await study1[0].WriteAsync(source), await study1[1].WriteAsync(source)];
        string other = await TestStudies.InStudy(TestStudies.Study2).First().WriteAsync(source);

        string data = Path.Combine(root, "data");
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, Delivery.ForwardingTo(pacs), Policy);
        await using (gateway)
        {
            using var https = new GatewayHttps(gateway);
            string uploader = await GatewayTokens.TokenAsync(https.Http, "upload-app", await GatewayTokens.AddClientAsync(data, gateway, "upload-app"));
            string viewer = await GatewayTokens.TokenAsync(https.Http, "viewer-app", await GatewayTokens.AddClientAsync(data, gateway, "viewer-app"));

            // Two instances and a part that is not DICOM: 202, two stored with retrieve URLs on the gateway, one failed (C000).
            using (HttpResponseMessage mixed = await https.Http.SendAsync(Stow("dicom-web/studies", uploader, [.. files.Select(File.ReadAllBytes), "not a DICOM file"u8.ToArray()])))
            {
                string body = await mixed.Content.ReadAsStringAsync();
                Assert.True(mixed.StatusCode == HttpStatusCode.Accepted, body);
                Assert.Equal("application/dicom+json", mixed.Content.Headers.ContentType?.MediaType);
                using JsonDocument json = JsonDocument.Parse(body);
                JsonElement referenced = json.RootElement.GetProperty("00081199").GetProperty("Value");
                Assert.Equal(study1.Select(i => i.SopInstanceUid), referenced.EnumerateArray().Select(i => i.GetProperty("00081155").GetProperty("Value")[0].GetString()));
                Assert.All(referenced.EnumerateArray(), i => Assert.StartsWith(
                    $"https://127.0.0.1:{gateway.HttpsPort}/dicom-web/studies/{TestStudies.Study1}/series/",
                    i.GetProperty("00081190").GetProperty("Value")[0].GetString(),
                    StringComparison.Ordinal));
                JsonElement failed = json.RootElement.GetProperty("00081198").GetProperty("Value");
                Assert.Equal(0xC000, Assert.Single(failed.EnumerateArray()).GetProperty("00081197").GetProperty("Value")[0].GetInt32());
            }

            // Into study 1, an instance of study 2: refused (A900), nothing stored, 409; in XML when asked for.
            using (HttpRequestMessage wrongStudy = Stow($"dicom-web/studies/{TestStudies.Study1}", uploader, [File.ReadAllBytes(other)]))
            {
                wrongStudy.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+xml"));
                using HttpResponseMessage conflict = await https.Http.SendAsync(wrongStudy);
                string body = await conflict.Content.ReadAsStringAsync();
                Assert.True(conflict.StatusCode == HttpStatusCode.Conflict, body);
                Assert.Equal("application/dicom+xml", conflict.Content.Headers.ContentType?.MediaType);
                Assert.Contains("<DicomAttribute tag=\"00081197\" vr=\"US\" keyword=\"FailureReason\"><Value number=\"1\">43264</Value>", body, StringComparison.Ordinal);
            }

            // A viewer may not store: every instance refused as not authorised (0124), and each a Security Alert.
            using (HttpResponseMessage refused = await https.Http.SendAsync(Stow("dicom-web/studies", viewer, [File.ReadAllBytes(other)])))
            {
                string body = await refused.Content.ReadAsStringAsync();
                Assert.True(refused.StatusCode == HttpStatusCode.Conflict, body);
                Assert.Contains("\"00081197\":{\"vr\":\"US\",\"Value\":[292]}", body, StringComparison.Ordinal);
            }

            // Not multipart/related: 415. A body cut before its close delimiter: 400.
            using (var json = new HttpRequestMessage(HttpMethod.Post, "dicom-web/studies") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/dicom+json") })
            {
                json.Headers.Authorization = new AuthenticationHeaderValue("Bearer", uploader);
                using HttpResponseMessage unsupported = await https.Http.SendAsync(json);
                Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
            }

            using (HttpRequestMessage cut = Stow("dicom-web/studies", uploader, [File.ReadAllBytes(other)], truncate: true))
            using (HttpResponseMessage truncated = await https.Http.SendAsync(cut))
            {
                Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
            }

            // Store and forward: the two stored instances reach the PACS over DIMSE (TLS); the refused ones do not.
            DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (await Delivery.PacsCountAsync(pacs) < 2 && DateTime.UtcNow < end)
            {
                await Task.Delay(250);
            }

            Assert.Equal(study1.Select(i => i.SopInstanceUid).Order(StringComparer.Ordinal), await Delivery.PacsUidsAsync(pacs));
        }

        IReadOnlyList<string> imports = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.Import);
        Assert.Equal(2, imports.Count(i => i.Contains("upload-app", StringComparison.Ordinal) && i.Contains(TestStudies.Study1, StringComparison.Ordinal)));
        IReadOnlyList<string> alerts = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.SecurityAlert);
        Assert.Contains(alerts, a => a.Contains("viewer-app", StringComparison.Ordinal) && a.Contains("stow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stow_FromOrthancAsTheClient_StoresTheWholeStudy()
    {
        string root = _temp.Sub("gateway");
        string data = Path.Combine(root, "data");
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, policy: Policy);
        await using (gateway)
        {
            using var https = new GatewayHttps(gateway);
            string token = await GatewayTokens.TokenAsync(https.Http, "upload-app", await GatewayTokens.AddClientAsync(data, gateway, "upload-app"));

            // Orthanc's DICOMweb client sends the study to the gateway over HTTPS, trusting the gateway's CA, with the token.
            await using OrthancServer source = await OrthancServer.StartAsync(_temp.Sub("source"), "SOURCE", [], configure: config =>
            {
                config["HttpsCACertificates"] = Path.Combine(gateway.Certs, "ca.crt");
                config["HttpsVerifyPeers"] = true;
                config["DicomWeb"]!["Servers"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["gateway"] = new System.Text.Json.Nodes.JsonObject
                    {
                        ["Url"] = $"https://127.0.0.1:{gateway.HttpsPort}/dicom-web/",
                        ["HttpHeaders"] = new System.Text.Json.Nodes.JsonObject { ["Authorization"] = "Bearer " + token },
                    },
                };
            });
            string files = _temp.Sub("files");
            foreach (TestInstance instance in TestStudies.InStudy(TestStudies.Study1))
            {
                await instance.WriteAsync(files);
            }

            await TestPacs.UploadAsync(source, files);
            string study = (await source.Http.GetFromJsonAsync<string[]>("studies"))!.Single();
            using HttpResponseMessage sent = await source.Http.PostAsync(
                "dicom-web/servers/gateway/stow",
                JsonContent.Create(new System.Text.Json.Nodes.JsonObject { ["Resources"] = new System.Text.Json.Nodes.JsonArray(study), ["Synchronous"] = true }));
            string body = await sent.Content.ReadAsStringAsync();
            Assert.True(sent.IsSuccessStatusCode, body + Environment.NewLine + source.Output + Environment.NewLine + await GatewayLogs.ReadAsync(root));
        }

        IReadOnlyList<string> imports = await GatewayAuditLog.SearchAsync(data, GatewayAuditLog.Import);
        Assert.Equal(TestStudies.InStudy(TestStudies.Study1).Count(), imports.Count(i => i.Contains("upload-app", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RoleByEndpoint_EachRoleReachesExactlyItsOperations_BadTokensNone_AndAnswersEqualOrthancsOwn()
    {
        string root = _temp.Sub("gateway");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("pacs"), root);
        string source = _temp.Sub("source");
        await TestStudies.WriteAllAsync(source);
        await TestPacs.UploadAsync(pacs, source);
        byte[] instance = await File.ReadAllBytesAsync(await TestStudies.Large(1).WriteAsync(_temp.Sub("upload")));

        string data = Path.Combine(root, "data");
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, new Dictionary<string, string?>
        {
            ["Gateway:DicomWeb:Origin"] = $"http://127.0.0.1:{pacs.HttpPort}/dicom-web/",
        }, Policy);
        await using (gateway)
        {
            using var https = new GatewayHttps(gateway);
            var tokens = new Dictionary<string, string?> { ["no token"] = null };
            foreach (string client in new[] { "viewer-app", "upload-app", "search-app" })
            {
                tokens[client] = await GatewayTokens.TokenAsync(https.Http, client, await GatewayTokens.AddClientAsync(data, gateway, client));
            }

            // A valid token with one signature byte changed, and one signed with no algorithm at all.
            string viewer = tokens["viewer-app"]!;
            int signature = viewer.LastIndexOf('.') + 5;
            tokens["tampered"] = viewer[..signature] + (viewer[signature] == 'A' ? 'B' : 'A') + viewer[(signature + 1)..];
            tokens["alg none"] = "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0." + viewer.Split('.')[1] + ".";

            string query = $"dicom-web/studies?PatientID=P1";
            string metadata = $"dicom-web/studies/{TestStudies.Study1}/metadata";
            var expected = new Dictionary<string, (HttpStatusCode Qido, HttpStatusCode Wado, HttpStatusCode Stow)>
            {
                ["no token"] = (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized),
                ["tampered"] = (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized),
                ["alg none"] = (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized),
                ["viewer-app"] = (HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict),
                ["upload-app"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK),
                ["search-app"] = (HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Conflict),
            };

            var failures = new List<string>();
            foreach ((string who, (HttpStatusCode qido, HttpStatusCode wado, HttpStatusCode stow)) in expected)
            {
                string? token = tokens[who];
                HttpStatusCode gotQido = await StatusAsync(https.Http, Authorized(new HttpRequestMessage(HttpMethod.Get, query), token));
                HttpStatusCode gotWado = await StatusAsync(https.Http, Authorized(new HttpRequestMessage(HttpMethod.Get, metadata), token));
                HttpStatusCode gotStow = await StatusAsync(https.Http, token is null ? Unauthenticated(Stow("dicom-web/studies", "x", [instance])) : Stow("dicom-web/studies", token, [instance]));
                if ((gotQido, gotWado, gotStow) != (qido, wado, stow))
                {
                    failures.Add($"{who}: QIDO {gotQido}, WADO {gotWado}, STOW {gotStow}; expected {qido}, {wado}, {stow}");
                }
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

            // Through the gateway, the same answers as from Orthanc directly (but for the Retrieve URLs, which name the gateway).
            foreach (string path in new[] { query, $"dicom-web/studies/{TestStudies.Study1}/series", metadata })
            {
                using HttpResponseMessage through = await https.Http.SendAsync(Authorized(new HttpRequestMessage(HttpMethod.Get, path), viewer));
                string direct = await pacs.Http.GetStringAsync(path);
                string body = await through.Content.ReadAsStringAsync();
                Assert.Equal(WithoutRetrieveUrls(direct), WithoutRetrieveUrls(body));
                if (body.Contains("BulkDataURI", StringComparison.Ordinal))
                {
                    Assert.Contains($"\"https://127.0.0.1:{gateway.HttpsPort}/dicom-web/studies/", body, StringComparison.Ordinal);
                }
            }
        }
    }

    private static HttpRequestMessage Authorized(HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        return request;
    }

    private static HttpRequestMessage Unauthenticated(HttpRequestMessage request)
    {
        request.Headers.Authorization = null;
        return request;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (HttpResponseMessage response = await http.SendAsync(request))
        {
            return response.StatusCode;
        }
    }

    // DICOM JSON with every (0008,1190) Retrieve URL removed and bulk data URIs cut to their path below the DICOMweb
    // root, re-serialised without whitespace.
    private static string WithoutRetrieveUrls(string json)
    {
        System.Text.Json.Nodes.JsonNode? node = System.Text.Json.Nodes.JsonNode.Parse(json);
        Strip(node);
        return node!.ToJsonString();

        static void Strip(System.Text.Json.Nodes.JsonNode? n)
        {
            switch (n)
            {
                case System.Text.Json.Nodes.JsonObject o:
                    o.Remove("00081190");
                    if (o["BulkDataURI"]?.GetValue<string>() is { } uri)
                    {
                        o["BulkDataURI"] = uri[(uri.IndexOf("/dicom-web/", StringComparison.Ordinal) + 1)..];
                    }

                    foreach (KeyValuePair<string, System.Text.Json.Nodes.JsonNode?> child in o.ToList())
                    {
                        Strip(child.Value);
                    }

                    break;
                case System.Text.Json.Nodes.JsonArray a:
                    foreach (System.Text.Json.Nodes.JsonNode? item in a)
                    {
                        Strip(item);
                    }

                    break;
            }
        }
    }

    [Fact]
    public async Task Stow_PydicomsCorpus_StoresEveryStorableFile_RefusesTheRestWithAReason_AndThePacsGetsThemUnchanged()
    {
        // Every storable file of pydicom's corpus (one per SOP Instance UID) in one request, with the corpus files that
        // are no storable instance: no File Meta Information, identifiers the data set contradicts or lacks, truncated.
        PydicomCorpus.AssertInstalled();
        string source = _temp.Sub("source");
        IReadOnlyList<string> storable = await PydicomCorpus.CopyStorableAsync(source);
        byte[][] storableUids = [.. storable.Select(System.Text.Encoding.ASCII.GetBytes)];
        string[] rejects = [.. Directory.EnumerateFiles(PydicomCorpus.Directory, "*.dcm").Order(StringComparer.Ordinal)
            .Where(f => File.ReadAllBytes(f) is var bytes && !storableUids.Any(uid => bytes.AsSpan().IndexOf(uid) >= 0))];
        Assert.True(storable.Count >= 60 && rejects.Length >= 10, $"{storable.Count} storable, {rejects.Length} other files");

        string root = _temp.Sub("gateway");
        await using OrthancServer pacs = await TestPacs.StartAsync(_temp.Sub("pacs"), root);
        string data = Path.Combine(root, "data");
        GatewayProcess gateway = await GatewayProcess.StartAsync(root, Delivery.ForwardingTo(pacs), Policy);
        await using (gateway)
        {
            using var https = new GatewayHttps(gateway);
            string uploader = await GatewayTokens.TokenAsync(https.Http, "upload-app", await GatewayTokens.AddClientAsync(data, gateway, "upload-app"));
            byte[][] parts = [.. storable.Select(uid => File.ReadAllBytes(Path.Combine(source, uid + ".dcm"))), .. rejects.Select(File.ReadAllBytes)];
            using HttpResponseMessage response = await https.Http.SendAsync(Stow("dicom-web/studies", uploader, parts));
            string body = await response.Content.ReadAsStringAsync();

            // Some stored, some failed: 202 (PS3.18 10.5.3).
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
            using JsonDocument json = JsonDocument.Parse(body);
            string?[] referenced = [.. json.RootElement.GetProperty("00081199").GetProperty("Value").EnumerateArray()
                .Select(i => i.GetProperty("00081155").GetProperty("Value")[0].GetString()).Order(StringComparer.Ordinal)];
            JsonElement[] failed = [.. json.RootElement.GetProperty("00081198").GetProperty("Value").EnumerateArray()];
            Assert.Equal(storable.Order(StringComparer.Ordinal), referenced);
            Assert.Equal(rejects.Length, failed.Length);
            Assert.All(failed, f => Assert.Contains(f.GetProperty("00081197").GetProperty("Value")[0].GetInt32(), new[] { 0xA900, 0xC000 }));

            IReadOnlyList<string> held = [];
            for (DateTime end = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < end && held.Count < storable.Count; await Task.Delay(250))
            {
                held = await pacs.InstanceUidsAsync();
            }

            Assert.Equal(storable.Order(StringComparer.Ordinal), held);
            string check = _temp.Sub("check");
            foreach (string uid in storable)
            {
                await PydicomCorpus.AssertSameDataSetAtPacsAsync(pacs, Path.Combine(source, uid + ".dcm"), uid, check);
            }
        }
    }

    // A multipart/related; type="application/dicom" request, one part per file; cut before its close delimiter when asked.
    private static HttpRequestMessage Stow(string uri, string token, IReadOnlyList<byte[]> parts, bool truncate = false)
    {
        const string Boundary = "stow-boundary-5f0c2a";
        using var body = new MemoryStream();
        foreach (byte[] part in parts)
        {
            body.Write(System.Text.Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Type: application/dicom\r\n\r\n"));
            body.Write(part);
            body.Write("\r\n"u8);
        }

        if (!truncate)
        {
            body.Write(System.Text.Encoding.ASCII.GetBytes($"--{Boundary}--\r\n"));
        }

        var content = new ByteArrayContent(body.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/related; type=\"application/dicom\"; boundary={Boundary}");
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task ExerciseAsync(GatewayProcess gateway, string data, int pacsHttpPort)
    {
        string study = TestStudies.Study1;
        using var https = new GatewayHttps(gateway);

        string viewerSecret = await GatewayTokens.AddClientAsync(data, gateway, "viewer-app");
        string uploaderSecret = await GatewayTokens.AddClientAsync(data, gateway, "upload-app");
        string token = await GatewayTokens.TokenAsync(https.Http, "viewer-app", viewerSecret);

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
        string uploaderToken = await GatewayTokens.TokenAsync(https.Http, "upload-app", uploaderSecret);
        using (HttpResponseMessage denied = await https.Http.SendAsync(Get("dicom-web/studies", uploaderToken, "application/dicom+json")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        // Orthanc 1.10 announces Keep-Alive: timeout=1. Twenty searches in a row still go over one or two connections to
        // it (every connection the gateway opened to Orthanc's port stays listed, closed ones in TIME-WAIT for a minute).
        HashSet<int> before = ConnectionsTo(pacsHttpPort);
        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage found = await https.Http.SendAsync(Get($"dicom-web/studies?StudyInstanceUID={study}", token, "application/dicom+json"));
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        }

        HashSet<int> opened = ConnectionsTo(pacsHttpPort);
        Assert.NotEmpty(opened); // the connection in use at least: the table is read right
        opened.ExceptWith(before);
        Assert.InRange(opened.Count, 0, 2);
    }

    /// <summary>The local ports of this machine's TCP connections to <paramref name="port"/> on loopback, in any state.</summary>
    private static HashSet<int> ConnectionsTo(int port)
    {
        var local = new HashSet<int>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                // "sl local_address rem_address st ...", addresses as HEX_IP:HEX_PORT.
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && int.Parse(fields[2][(fields[2].IndexOf(':', StringComparison.Ordinal) + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) == port)
                {
                    local.Add(int.Parse(fields[1][(fields[1].IndexOf(':', StringComparison.Ordinal) + 1)..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return local;
    }

    private static HttpRequestMessage Get(string uri, string token, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return request;
    }
}
