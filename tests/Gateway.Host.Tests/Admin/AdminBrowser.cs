using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Tests.Support;
using Gateway.Identity.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Gateway.Host.Tests.Admin;

/// <summary>
/// One gateway with the admin console and four people (one per role), and Debian's chromium driven by Playwright, shared
/// by the console's browser tests. Screenshots go to <c>TestResults/admin-screenshots</c> (kept as artifacts).
/// </summary>
public sealed class AdminBrowser : IAsyncLifetime
{
    public const string Password = "correct horse battery staple 42";

    /// <summary>The test policy: the default devices and services, the admin service, the four console roles and people.</summary>
    public static readonly string Policy = GatewayProcess.DefaultPolicy.Replace(
        "\nflows:",
        "\n  - name: admin\n    kind: admin\nflows:",
        StringComparison.Ordinal) + """

        roles:
          - name: security-admin
            grants:
              - services: [admin]
                operations: [policy-read, policy-write, audit-read]
          - name: compliance-officer
            grants:
              - services: [admin]
                operations: [audit-read, audit-export, audit-verify]
          - name: incident-responder
            grants:
              - services: [admin]
                operations: [backup-create, backup-restore, drill-run, drill-read]
          - name: operator
            grants:
              - services: [admin]
                operations: [queue-read, queue-retry]
        clients:
          - name: gateway-console
            client-id: gateway-console
            roles: [security-admin, compliance-officer, incident-responder, operator]
            addresses: [127.0.0.1]
        users:
          - id: alice.meyer
            roles: [security-admin]
          - id: bob.schulz
            roles: [compliance-officer]
          - id: carol.wagner
            roles: [incident-responder]
          - id: dave.kurz
            roles: [operator]
        """;

    private readonly TempDirectory _temp = new();
    private IPlaywright? _playwright;

    internal GatewayProcess Gateway { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl => $"https://127.0.0.1:{Gateway.HttpsPort}";

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(FindRepositoryRoot(), "TestResults", "admin-screenshots")).FullName;

    public async Task InitializeAsync()
    {
        Gateway = await GatewayProcess.StartAsync(_temp.Sub("gateway"), new Dictionary<string, string?>
        {
            ["Gateway:Backup:Repository"] = _temp.Sub("backup-repository"),

            // A PACS that is never there: forwarded items fail and become dead letters after a second (Operations page).
            ["Gateway:Upstreams:AbsentPacs:AETitle"] = "PACS",
            ["Gateway:Upstreams:AbsentPacs:Host"] = "127.0.0.1",
            ["Gateway:Upstreams:AbsentPacs:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:Upstreams:AbsentPacs:Tls"] = "false",
            ["Gateway:Routing:ForwardTo:0"] = "AbsentPacs",
            ["Gateway:Routing:DeadLetterAfter"] = "00:00:01",
        }, Policy);
        // The console registers its OAuth2 client in the background once the gateway runs.
        for (int i = 0; i < 300 && !await ConsoleClientExistsAsync(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await ConsoleClientExistsAsync(), "the console's client was not registered");
        UserAccounts accounts = Gateway.Services.GetRequiredService<UserAccounts>();
        await accounts.CreateAsync("alice.meyer", Password, ["security-admin"]);
        await accounts.CreateAsync("bob.schulz", Password, ["compliance-officer"]);
        await accounts.CreateAsync("carol.wagner", Password, ["incident-responder"]);
        await accounts.CreateAsync("dave.kurz", Password, ["operator"]);

        // Studies in the archive (for the drill and the study restore), and traffic for the security page: an allowed echo
        // and one from an AE title the policy does not know.
        string studies = _temp.Sub("studies");
        await TestStudies.WriteAllAsync(studies);
        (await ExternalTool.RunAsync("storescu", [.. Gateway.Vlan(), "+sd", "127.0.0.1", Gateway.VlanPortText, studies])).EnsureSuccess();
        (await ExternalTool.RunAsync("echoscu", [.. Gateway.Vlan(), "127.0.0.1", Gateway.VlanPortText])).EnsureSuccess();
        await ExternalTool.RunAsync("echoscu", [.. Gateway.Vlan("STRANGER"), "127.0.0.1", Gateway.VlanPortText]);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// A fresh browser context: 1280 x 800, the gateway's development certificate accepted, downloads allowed, and 90 s
    /// for an action or navigation instead of Playwright's 30 s (a sign-in runs an OIDC redirect chain, an Argon2id hash
    /// and the first JIT of those paths; on a 2-core CI machine running other test assemblies it has taken longer).
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(90_000);
        return context;
    }

    /// <summary>A fresh browser context (<see cref="NewContextAsync"/>) signed in as <paramref name="user"/>.</summary>
    public async Task<IPage> SignInAsync(string user, List<string>? consoleErrors = null)
    {
        IBrowserContext context = await NewContextAsync();
        IPage page = await context.NewPageAsync();
        if (consoleErrors is not null)
        {
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    consoleErrors.Add(message.Text);
                }
            };
        }

        await page.GotoAsync(BaseUrl + "/admin");
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("User name").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(BaseUrl + "/admin");
        return page;
    }

    /// <summary>Saves a full-page screenshot named <paramref name="name"/>.png.</summary>
    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        ImmutableTree.Clear(Path.Combine(_temp.Path, "backup-repository"));
        _temp.Dispose();
    }

    private async Task<bool> ConsoleClientExistsAsync()
    {
        await using AsyncServiceScope scope = Gateway.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Gateway.Identity.Clients.ClientRegistry>().FindAsync("gateway-console") is not null;
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        return Path.GetTempPath();
    }
}
