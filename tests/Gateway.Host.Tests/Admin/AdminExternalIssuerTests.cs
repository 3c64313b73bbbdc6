using System.Globalization;
using Gateway.Host.Tests.Support;
using Gateway.Identity.Clients;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Gateway.Host.Tests.Admin;

/// <summary>
/// The console signing people in through an external OIDC issuer: a second gateway whose own token server is off trusts
/// the first gateway's issuer (standing in for a hospital's Keycloak), as a site configures it.
/// </summary>
[Collection(AdminConsoleCollection.Name)]
public sealed class AdminExternalIssuerTests(AdminBrowser browser) : IDisposable
{
    private readonly Dicom.Network.Interop.Tests.Support.TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ComplianceOfficer_SignsInAtTheExternalIssuer_AndWorksInTheOtherGatewaysConsole()
    {
        GatewayProcess issuer = browser.Gateway;
        string jwks = Path.Combine(_temp.Path, "issuer-jwks.json");
        using (var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator })
        using (var http = new HttpClient(handler))
        {
            await File.WriteAllTextAsync(jwks, await http.GetStringAsync(browser.BaseUrl + "/.well-known/jwks"));
        }

        string policy = AdminBrowser.Policy.Replace("client-id: gateway-console", "client-id: site-console", StringComparison.Ordinal);
        await using GatewayProcess site = await GatewayProcess.StartAsync(_temp.Sub("site"), new Dictionary<string, string?>
        {
            // The same development CA, so that the site's back channel trusts the issuer's certificate.
            ["Gateway:Tls:DevelopmentPkiDirectory"] = issuer.Certs,
            ["Gateway:Identity:EnableLocalServer"] = "false",
            ["Gateway:Identity:ExternalIssuers:0:Issuer"] = browser.BaseUrl + "/",
            ["Gateway:Identity:ExternalIssuers:0:Audiences:0"] = "dicom-gateway",
            ["Gateway:Identity:ExternalIssuers:0:JwksFile"] = jwks,
            ["Gateway:Identity:ExternalIssuers:0:RoleClaim"] = "role",
            ["Gateway:Admin:Authority"] = browser.BaseUrl + "/",
            ["Gateway:Admin:ClientId"] = "site-console",
        }, policy);
        string siteUrl = "https://127.0.0.1:" + site.HttpsPort.ToString(CultureInfo.InvariantCulture);

        // The issuer knows the site's console as a public client with the site's redirect URI.
        await using (AsyncServiceScope scope = issuer.Services.CreateAsyncScope())
        {
            ClientRegistry clients = scope.ServiceProvider.GetRequiredService<ClientRegistry>();
            if (await clients.FindAsync("site-console") is not null)
            {
                await clients.RemoveAsync("site-console");
            }

            await clients.AddAsync(new ClientRegistration
            {
                ClientId = "site-console",
                Kind = ClientKind.Interactive,
                Confidential = false,
                RedirectUris = [new Uri(siteUrl + "/admin/signin-oidc")],
            });
        }

        IBrowserContext context = await browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(siteUrl + "/admin");
        Assert.StartsWith(browser.BaseUrl + "/account/login", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("User name").FillAsync("bob.schulz");
        await page.GetByLabel("Password").FillAsync(AdminBrowser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(siteUrl + "/admin");

        Assert.Contains("bob.schulz", await page.Locator("header .who").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(["Overview", "Audit"], (await page.Locator("header nav a").AllInnerTextsAsync()).Select(l => l.Trim()).ToArray());
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        Assert.Contains("record(s) matched", await page.Locator("#result-count").InnerTextAsync(), StringComparison.Ordinal);
        await AdminBrowser.ScreenshotAsync(page, "external-issuer-audit");
        IResponse? security = await page.GotoAsync(siteUrl + "/admin/security");
        Assert.Equal(403, security!.Status);
        await context.CloseAsync();
    }
}
