using System.Net;
using System.Text.Json;
using Gateway.Identity.Auditing;
using Gateway.Identity.Tests.Support;
using Gateway.Identity.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Identity.Tests.Server;

public sealed class AuthorizationCodeTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private static readonly Uri Callback = new("https://viewer.test/callback");
    private IdentityTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await IdentityTestHost.StartAsync();
        await _host.AddViewerClientAsync("web-viewer", Callback, "clinician");
        await _host.AddUserAsync("alice.meyer", Password, "clinician", "security-admin");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Pkce_AuthorizeLoginCodeToken_GivesTheUsersAccessToken()
    {
        using HttpClient browser = _host.CreateClient();
        var flow = new PkceFlow(browser, "web-viewer", Callback);

        string code = await flow.LoginAndGetCodeAsync("alice.meyer", Password);
        (HttpResponseMessage response, JsonElement json) = await flow.RedeemAsync(code);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IdentityResult identity = await _host.Validator.ValidateAsync(json.GetProperty("access_token").GetString()!);
        Assert.True(identity.Succeeded, identity.Failure.ToString());
        Assert.Equal("alice.meyer", identity.Subject);
        Assert.Equal("web-viewer", identity.ClientId);
        Assert.False(identity.IsClient);
        Assert.Equal("alice.meyer", identity.PolicyUserId);
        Assert.Equal(["clinician", "security-admin"], identity.Roles.Order(StringComparer.Ordinal));

        // The id token is for the client, not a key to the gateway.
        IdentityResult idToken = await _host.Validator.ValidateAsync(json.GetProperty("id_token").GetString()!);
        Assert.Contains(idToken.Failure, new[] { IdentityFailure.WrongAudience, IdentityFailure.WrongTokenType });

        Assert.Collection(
            _host.Auditor.Events,
            login => Assert.Equal((IdentityMethod.LoginPage, true, "alice.meyer"), (login.Method, login.Succeeded, login.Subject)),
            token => Assert.Equal((IdentityMethod.AuthorizationCode, true, "alice.meyer", "web-viewer"), (token.Method, token.Succeeded, token.Subject, token.ClientId)));
    }

    [Fact]
    public async Task Login_DataProtectionKeysThatProtectItsCookies_AreOwnerOnlyFiles()
    {
        // ASP.NET Core stores these keys unencrypted (it warns "No XML encryptor configured"): file permissions are their
        // protection, as for every other key file of the gateway.
        using HttpClient browser = _host.CreateClient();
        await new PkceFlow(browser, "web-viewer", Callback).LoginAndGetCodeAsync("alice.meyer", Password);

        string directory = Path.Combine(_host.DataDirectory, "identity", "data-protection");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        string[] keys = Directory.GetFiles(directory);
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key)));
    }

    [Fact]
    public async Task Pkce_WrongVerifier_IsRefusedAndAudited()
    {
        using HttpClient browser = _host.CreateClient();
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        string code = await flow.LoginAndGetCodeAsync("alice.meyer", Password);

        (HttpResponseMessage response, JsonElement json) = await flow.RedeemAsync(code, verifier: new PkceFlow(browser, "web-viewer", Callback).Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", json.GetProperty("error").GetString());
        IdentityAuditEvent refused = _host.Auditor.Events[^1];
        Assert.False(refused.Succeeded);
        Assert.Equal(IdentityMethod.AuthorizationCode, refused.Method);
        Assert.Equal("invalid_grant", refused.FailureReason);
    }

    [Fact]
    public async Task Pkce_CodeRedeemedTwice_SecondIsRefused()
    {
        using HttpClient browser = _host.CreateClient();
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        string code = await flow.LoginAndGetCodeAsync("alice.meyer", Password);

        Assert.Equal(HttpStatusCode.OK, (await flow.RedeemAsync(code)).Response.StatusCode);
        (HttpResponseMessage again, JsonElement json) = await flow.RedeemAsync(code);

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("invalid_grant", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Authorize_PlainChallengeOrNoChallenge_IsRefused()
    {
        using HttpClient browser = _host.CreateClient();
        var flow = new PkceFlow(browser, "web-viewer", Callback);

        HttpResponseMessage plain = await browser.GetAsync(flow.AuthorizeUrl(method: "plain"));
        HttpResponseMessage none = await browser.GetAsync(flow.AuthorizeUrl().Replace("&code_challenge=" + flow.Challenge, string.Empty, StringComparison.Ordinal));

        // Refused either on the spot or by an error redirect to the client; never towards the login page or with a code.
        foreach (HttpResponseMessage response in new[] { plain, none })
        {
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                Assert.StartsWith(Callback.AbsoluteUri, response.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
                Assert.Contains("error=invalid_request", response.Headers.Location.Query, StringComparison.Ordinal);
                Assert.DoesNotContain("code=", response.Headers.Location.Query, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            }
        }
    }

    [Fact]
    public async Task Authorize_UnregisteredRedirectUri_IsNotRedirectedTo()
    {
        using HttpClient browser = _host.CreateClient();
        var flow = new PkceFlow(browser, "web-viewer", new Uri("https://evil.test/steal"));

        HttpResponseMessage response = await browser.GetAsync(flow.AuthorizeUrl());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task LoginPage_HasNoScriptStrictHeadersAndAntiforgery()
    {
        using HttpClient browser = _host.CreateClient();
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        string loginUrl = (await browser.GetAsync(flow.AuthorizeUrl())).Headers.Location!.OriginalString;

        HttpResponseMessage page = await browser.GetAsync(loginUrl);
        string html = await page.Content.ReadAsStringAsync();

        Assert.Equal("default-src 'none'; base-uri 'none'; frame-ancestors 'none'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", string.Join(",", page.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-store", page.Headers.CacheControl!.ToString());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" on", html.Replace(" one", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.NotEmpty(PkceFlow.HiddenField(html, "__RequestVerificationToken"));
    }

    [Fact]
    public async Task Login_WithoutAntiforgeryToken_IsRefusedAndLogsNobodyIn()
    {
        using HttpClient browser = _host.CreateClient(out CookieHandler cookies);
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        string loginUrl = (await browser.GetAsync(flow.AuthorizeUrl())).Headers.Location!.OriginalString;

        (HttpResponseMessage response, _) = await flow.SubmitLoginAsync(loginUrl, "alice.meyer", Password, withAntiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(cookies.Cookies.GetAllCookies(), c => c.Name == GatewayIdentityDefaults.LoginCookie);
        Assert.Empty(_host.Auditor.Events);
    }

    [Fact]
    public async Task Login_ReturnUrlElsewhere_IsRefused()
    {
        using HttpClient browser = _host.CreateClient();
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        string loginUrl = (await browser.GetAsync(flow.AuthorizeUrl())).Headers.Location!.OriginalString;

        (HttpResponseMessage response, _) = await flow.SubmitLoginAsync(loginUrl, "alice.meyer", Password, returnUrl: "https://evil.test/connect/authorize?x=1");
        HttpResponseMessage direct = await browser.GetAsync(GatewayIdentityDefaults.LoginPath + "?returnUrl=" + Uri.EscapeDataString("//evil.test/"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
    }

    [Fact]
    public async Task Login_WrongPasswordThenLockout_AreRefusedWithOneMessageAndAudited()
    {
        using HttpClient browser = _host.CreateClient(out CookieHandler cookies);
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        string loginUrl = (await browser.GetAsync(flow.AuthorizeUrl())).Headers.Location!.OriginalString;

        var pages = new List<string>();
        for (int i = 0; i < _host.Options.LockoutThreshold; i++)
        {
            (HttpResponseMessage wrong, _) = await flow.SubmitLoginAsync(loginUrl, "alice.meyer", "not the password " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            pages.Add(await wrong.Content.ReadAsStringAsync());
        }

        (HttpResponseMessage locked, _) = await flow.SubmitLoginAsync(loginUrl, "alice.meyer", Password);
        (HttpResponseMessage unknown, _) = await flow.SubmitLoginAsync(loginUrl, "nobody", Password);

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains("Wrong user name or password", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("Wrong user name or password", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(cookies.Cookies.GetAllCookies(), c => c.Name == GatewayIdentityDefaults.LoginCookie);
        Assert.Equal(
            ["invalid-credentials", "invalid-credentials", "locked-out", "locked-out", "unknown-user"],
            _host.Auditor.Events.Select(e => e.FailureReason!));
        Assert.All(_host.Auditor.Events, e => Assert.False(e.Succeeded));
        Assert.All(_host.Auditor.Events, e => Assert.DoesNotContain(Password, e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_AuditLogRefuses_NoSessionIsCreated()
    {
        using HttpClient browser = _host.CreateClient(out CookieHandler cookies);
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        string loginUrl = (await browser.GetAsync(flow.AuthorizeUrl())).Headers.Location!.OriginalString;
        _host.Auditor.Fail = true;

        (HttpResponseMessage response, _) = await flow.SubmitLoginAsync(loginUrl, "alice.meyer", Password);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain(cookies.Cookies.GetAllCookies(), c => c.Name == GatewayIdentityDefaults.LoginCookie);
    }

    [Fact]
    public async Task Token_UserDisabledAfterLogin_CodeIsRefused()
    {
        using HttpClient browser = _host.CreateClient();
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        string code = await flow.LoginAndGetCodeAsync("alice.meyer", Password);
        await _host.App.Services.GetRequiredService<Gateway.Identity.Accounts.UserAccounts>().SetDisabledAsync("alice.meyer", disabled: true);

        (HttpResponseMessage response, JsonElement json) = await flow.RedeemAsync(code);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", json.GetProperty("error").GetString());
        Assert.Equal("account-disabled", _host.Auditor.Events[^1].FailureReason);
    }

    [Fact]
    public async Task Logout_EndsTheLoginSessionAndIsAudited()
    {
        using HttpClient browser = _host.CreateClient(out CookieHandler cookies);
        var flow = new PkceFlow(browser, "web-viewer", Callback);
        _ = await flow.LoginAndGetCodeAsync("alice.meyer", Password);

        HttpResponseMessage logout = await browser.GetAsync(GatewayIdentityDefaults.LogoutPath);
        HttpResponseMessage again = await browser.GetAsync(flow.AuthorizeUrl());

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.StartsWith(GatewayIdentityDefaults.LoginPath, again.Headers.Location!.OriginalString, StringComparison.Ordinal);
        IdentityAuditEvent logoutEvent = _host.Auditor.Events[^1];
        Assert.Equal((IdentityAuditKind.Logout, "alice.meyer", true), (logoutEvent.Kind, logoutEvent.Subject, logoutEvent.Succeeded));
    }
}
