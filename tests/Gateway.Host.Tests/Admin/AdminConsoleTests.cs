using System.IO.Compression;
using System.Net;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Gateway.Host.Tests.Admin;

/// <summary>
/// The admin console in a real browser (Debian's chromium through Playwright): each role signs in through the gateway's
/// own OIDC server, does its main task end to end, and cannot reach another role's pages; headers, cookies and the
/// absence of PHI in URLs and titles are checked, and axe-core finds no serious accessibility violation.
/// </summary>
[Collection(AdminConsoleCollection.Name)]
public sealed class AdminConsoleTests(AdminBrowser browser)
{
    [Fact]
    public async Task SecurityAdmin_SeesFlowsAndDenials_ExplainsARequest_AndTriesACandidatePolicy()
    {
        var errors = new List<string>();
        IPage page = await browser.SignInAsync("alice.meyer", errors);
        await AssertNavigationAsync(page, ["Overview", "Security", "Audit"]);

        await page.GetByRole(AriaRole.Link, new() { Name = "Security", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(browser.BaseUrl + "/admin/security");
        string flows = await page.Locator("section:has(h2#flows) table").InnerTextAsync();
        Assert.Contains("MODALITY", flows, StringComparison.Ordinal);
        Assert.Contains("modality-to-pacs", flows, StringComparison.Ordinal);
        string denied = await page.Locator("section:has(h2#denied)").InnerTextAsync();
        Assert.Contains("STRANGER", denied, StringComparison.Ordinal);
        await AssertAccessibleAsync(page);
        await AdminBrowser.ScreenshotAsync(page, "security");

        await page.GetByLabel("Operation").SelectOptionAsync("store");
        await page.GetByLabel("Calling AE title (DIMSE) or client id").FillAsync("MODALITY");
        await page.GetByLabel("Called AE title (DIMSE) or service").FillAsync("GATEWAY");
        await page.GetByLabel("Address").FillAsync("127.0.0.1");
        await page.GetByLabel("SOP class UID").FillAsync("1.2.840.10008.5.1.4.1.1.2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Explain" }).ClickAsync();
        string explanation = await page.Locator("#explanation").InnerTextAsync();
        Assert.Contains("modality-to-pacs", explanation, StringComparison.Ordinal);

        // A candidate without the worklist flow: the diff names it, and nothing recorded used it (only echoes were seen).
        string candidate = Path.Combine(Path.GetTempPath(), "candidate-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        await File.WriteAllTextAsync(candidate, AdminBrowser.Policy.Replace("\n  - name: modality-worklist\n    from: modality\n    to: ris\n    operations: [echo, worklist]", string.Empty, StringComparison.Ordinal));
        try
        {
            await page.GetByLabel("Policy files").SetInputFilesAsync(candidate);
            await page.GetByRole(AriaRole.Button, new() { Name = "Compare and simulate" }).ClickAsync();
            string result = await page.Locator("#candidate-result").InnerTextAsync();
            Assert.Contains("modality-worklist", result, StringComparison.Ordinal);
            Assert.Contains("Simulation against", result, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(candidate);
        }

        await AdminBrowser.ScreenshotAsync(page, "security-candidate");
        await AssertCandidateLimitsAsync(page, errors);
        Assert.Empty(errors);
        await AssertForbiddenAsync(page, "/admin/operations");
        await AssertForbiddenAsync(page, "/admin/backup");
    }

    // A candidate upload: YAML only, UTF-8 only, at most 32 files, and a body over the limit refused before it is read.
    private async Task AssertCandidateLimitsAsync(IPage page, List<string> errors)
    {
        string dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "candidates-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            async Task<string> UploadAsync(params string[] files)
            {
                await page.GetByLabel("Policy files").SetInputFilesAsync(files);
                await page.GetByRole(AriaRole.Button, new() { Name = "Compare and simulate" }).ClickAsync();
                return await page.Locator("main").InnerTextAsync();
            }

            string text = Path.Combine(dir, "policy.txt");
            await File.WriteAllTextAsync(text, "version: 1\n");
            Assert.Contains("Only .yaml or .yml files: policy.txt", await UploadAsync(text), StringComparison.Ordinal);

            string latin1 = Path.Combine(dir, "latin1.yaml");
            await File.WriteAllBytesAsync(latin1, [.. "version: 1\n# M"u8, 0xFC, .. "ller\n"u8]);
            Assert.Contains("Not UTF-8: latin1.yaml", await UploadAsync(latin1), StringComparison.Ordinal);

            string[] many = [.. Enumerable.Range(0, 33).Select(i => Path.Combine(dir, $"p{i}.yaml"))];
            foreach (string file in many)
            {
                await File.WriteAllTextAsync(file, "version: 1\n");
            }

            Assert.Contains("Upload 1 to 32 YAML files", await UploadAsync(many), StringComparison.Ordinal);

            string big = Path.Combine(dir, "big.yaml");
            await File.WriteAllTextAsync(big, "# " + new string('x', 2 * 1024 * 1024) + "\n");
            await page.GetByLabel("Policy files").SetInputFilesAsync(big);
            IResponse refused = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Compare and simulate" }).ClickAsync(),
                r => r.Url.Contains("/admin/security", StringComparison.Ordinal) && r.Request.Method == "POST");
            // Kestrel stops reading at the limit; the antiforgery check, which reads the form first, answers 400.
            Assert.True(refused.Status is 400 or 413, $"HTTP {refused.Status}");

            // The gateway closes the connection without reading the rest, so the browser may land on its own error page.
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    await page.GotoAsync(browser.BaseUrl + "/admin/security");
                    break;
                }
                catch (PlaywrightException) when (attempt < 3)
                {
                    await page.WaitForLoadStateAsync();
                }
            }

            // The browser logs the refused POST as a failed resource load: expected here, and only that.
            errors.RemoveAll(e => e.Contains($"status of {refused.Status}", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ComplianceOfficer_SearchesSortsAndOpensARecord_ExportsAVerifiableBundle_AndVerifiesTheLog()
    {
        var errors = new List<string>();
        IPage page = await browser.SignInAsync("bob.schulz", errors);
        await AssertNavigationAsync(page, ["Overview", "Audit"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();

        // The refused echo was written as a Security Alert.
        await page.GetByLabel("Event").SelectOptionAsync("SecurityAlert");
        await page.GetByLabel("Patient ID").FillAsync("PAT-NOBODY-7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        Assert.Contains("0 record(s) matched", await page.Locator("#result-count").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("PAT-NOBODY-7", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("PAT-NOBODY-7", await page.TitleAsync(), StringComparison.Ordinal);

        await page.GetByLabel("Patient ID").FillAsync(string.Empty);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        string results = await page.Locator("table.results").InnerTextAsync();
        Assert.Contains("STRANGER", results, StringComparison.Ordinal);
        Assert.Contains("Security Alert", results, StringComparison.Ordinal);

        // Sorting by a column marks it and keeps the filter.
        await page.GetByRole(AriaRole.Button, new() { Name = "Requestor" }).ClickAsync();
        Assert.Equal("ascending", await page.Locator("th:has(button:text-is('Requestor'))").GetAttributeAsync("aria-sort"));
        Assert.Contains("STRANGER", await page.Locator("table.results").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Requestor" }).ClickAsync();
        Assert.Equal("descending", await page.Locator("th:has(button:text-is('Requestor'))").GetAttributeAsync("aria-sort"));
        await AssertAccessibleAsync(page);
        await AdminBrowser.ScreenshotAsync(page, "audit-search");

        // Export: a zip bundle whose proofs verify against its own signed checkpoint.
        IDownload download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download verifiable export" }).ClickAsync());
        string bundle = Path.Combine(Path.GetTempPath(), "bundle-" + Guid.NewGuid().ToString("N")[..8] + ".zip");
        await download.SaveAsAsync(bundle);
        try
        {
            using (ZipArchive zip = ZipFile.OpenRead(bundle))
            {
                Assert.Contains(zip.Entries, e => e.Name == "checkpoint.txt" || e.Name.EndsWith(".jsonl", StringComparison.Ordinal));
            }

            (int exit, string output) = await Support.Gatewayctl.RunAsync("audit", "verify-export", bundle);
            Assert.True(exit == 0, output);
        }
        finally
        {
            File.Delete(bundle);
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the whole log now" }).ClickAsync();
        string verification = await page.Locator("#verification").InnerTextAsync();
        Assert.True(verification.StartsWith("valid", StringComparison.Ordinal), verification);

        await page.GotoAsync(browser.BaseUrl + "/admin/audit/record/0");
        Assert.Equal("Audit record 0 · DICOM gateway", await page.TitleAsync());
        await AdminBrowser.ScreenshotAsync(page, "audit-record");

        Assert.Empty(errors);
        await AssertForbiddenAsync(page, "/admin/security");
        await AssertForbiddenAsync(page, "/admin/operations");
    }

    [Fact]
    public async Task Operator_SeesQueueFiguresAsChartsAndTable_AndCannotReachTheAuditLog()
    {
        var errors = new List<string>();
        IPage page = await browser.SignInAsync("dave.kurz", errors);
        await AssertNavigationAsync(page, ["Overview", "Operations"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Operations", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(browser.BaseUrl + "/admin/operations");

        // Chart.js drew both charts (same origin script under the strict CSP).
        Assert.True(await page.EvaluateAsync<bool>("() => typeof Chart !== 'undefined' && Chart.getChart('rates-chart') !== undefined && Chart.getChart('utilisation-chart') !== undefined"));
        string figures = await page.Locator("#figures").InnerTextAsync();
        Assert.Contains("AbsentPacs", figures, StringComparison.Ordinal);

        // The absent PACS never takes the stored instances: once they are dead letters, send them all again.
        for (int i = 0; i < 240 && await page.Locator("#dead-letters tbody tr").CountAsync() < TestStudies.All.Count; i++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }

        Assert.Equal(TestStudies.All.Count, await page.Locator("#dead-letters tbody tr").CountAsync());
        await AssertAccessibleAsync(page);
        await AdminBrowser.ScreenshotAsync(page, "operations");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send every dead letter again" }).ClickAsync();
        Assert.Contains($"{TestStudies.All.Count} item(s) queued again", await page.Locator("p.notice").InnerTextAsync(), StringComparison.Ordinal);

        Assert.Empty(errors);
        await AssertForbiddenAsync(page, "/admin/audit");
        await AssertForbiddenAsync(page, "/admin/security");
    }

    [Fact]
    public async Task IncidentResponder_TakesASnapshot_RunsADrill_RestoresAStudy_AndVerifiesTheArchive()
    {
        var errors = new List<string>();
        IPage page = await browser.SignInAsync("carol.wagner", errors);
        await AssertNavigationAsync(page, ["Overview", "Backup"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Backup", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(browser.BaseUrl + "/admin/backup");

        await page.GetByRole(AriaRole.Button, new() { Name = "Take a snapshot now" }).ClickAsync();
        string taken = await page.Locator("#action-result").InnerTextAsync();
        Assert.StartsWith("Snapshot ", taken, StringComparison.Ordinal);
        string snapshots = await page.Locator("#snapshot-table tbody").InnerTextAsync();
        Assert.Contains("valid", snapshots, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Run a restore drill now" }).ClickAsync();
        string drill = await page.Locator("#action-result").InnerTextAsync();
        Assert.True(drill.Contains("passed", StringComparison.Ordinal), drill + "\n" + await page.Locator("#drill-table").InnerTextAsync());
        Assert.Contains("passed", await page.Locator("#drill-table tbody").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("() => Chart.getChart('drill-chart') !== undefined"));

        await page.GetByLabel("Study Instance UID").FillAsync(TestStudies.Study1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore the study" }).ClickAsync();
        string restored = await page.Locator("#action-result").InnerTextAsync();
        Assert.Contains("already present", restored, StringComparison.Ordinal);
        Assert.DoesNotContain(TestStudies.Study1, page.Url, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the archive now" }).ClickAsync();
        Assert.Contains("intact", await page.Locator("#archive-verification").InnerTextAsync(), StringComparison.Ordinal);
        await AssertAccessibleAsync(page);
        await AdminBrowser.ScreenshotAsync(page, "backup");

        Assert.Empty(errors);
        await AssertForbiddenAsync(page, "/admin/audit");
        await AssertForbiddenAsync(page, "/admin/operations");
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_AndPagesCarryStrictHeadersAndCookies()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler);
        using HttpResponseMessage anonymous = await http.GetAsync(browser.BaseUrl + "/admin/audit");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith(browser.BaseUrl + "/connect/authorize", anonymous.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", anonymous.Headers.Location.Query, StringComparison.Ordinal);

        IPage page = await browser.SignInAsync("carol.wagner");
        IResponse? response = await page.GotoAsync(browser.BaseUrl + "/admin");
        Dictionary<string, string> headers = await response!.AllHeadersAsync();
        Assert.Contains("script-src 'self'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Contains("no-store", headers["cache-control"], StringComparison.Ordinal);
        Assert.Equal("no-referrer", headers["referrer-policy"]);

        // Keyboard: the first Tab reaches the skip link, which moves focus to the page's content; then the navigation.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        IReadOnlyList<BrowserContextCookiesResult> cookies = await page.Context.CookiesAsync();
        BrowserContextCookiesResult session = Assert.Single(cookies, c => c.Name == "__Host-gateway-console");
        Assert.True(session.Secure);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

        // A POST without the anti-forgery token is refused.
        IAPIResponse forged = await page.Context.APIRequest.PostAsync(browser.BaseUrl + "/admin/signout", new() { MaxRedirects = 0 });
        Assert.Equal(400, forged.Status);

        // Sign out ends the session: the console asks for a login again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync(browser.BaseUrl + "/admin");
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
    }

    private static async Task AssertNavigationAsync(IPage page, string[] expected)
    {
        IReadOnlyList<string> links = await page.Locator("header nav a").AllInnerTextsAsync();
        Assert.Equal(expected, links.Select(l => l.Trim()).ToArray());
    }

    private async Task AssertForbiddenAsync(IPage page, string path)
    {
        IResponse? response = await page.GotoAsync(browser.BaseUrl + path);
        Assert.Equal(403, response!.Status);
    }

    private static async Task AssertAccessibleAsync(IPage page)
    {
        AxeResult result = await page.RunAxe();
        AxeResultItem[] serious = [.. result.Violations.Where(v => v.Impact is "serious" or "critical")];
        Assert.True(serious.Length == 0, string.Join("\n", serious.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
    }
}

[CollectionDefinition(Name)]
public sealed class AdminConsoleCollection : ICollectionFixture<AdminBrowser>
{
    public const string Name = "admin console";
}
