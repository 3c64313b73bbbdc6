using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Identity.Tests.Support;

/// <summary>A browser and a public client going through authorization code with PKCE against the test host.</summary>
internal sealed partial class PkceFlow(HttpClient browser, string clientId, Uri redirectUri)
{
    public string Verifier { get; } = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public string Challenge => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));

    public string AuthorizeUrl(string scope = "openid roles", string state = "state-123", string method = "S256") =>
        "/connect/authorize?" + string.Join('&', new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = state,
            ["code_challenge"] = method == "S256" ? Challenge : Verifier,
            ["code_challenge_method"] = method,
        }.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value)));

    /// <summary>Authorize, log in at the login page, and come back with a code.</summary>
    public async Task<string> LoginAndGetCodeAsync(string username, string password)
    {
        HttpResponseMessage authorize = await browser.GetAsync(AuthorizeUrl());
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        string loginUrl = authorize.Headers.Location!.OriginalString;
        Assert.StartsWith(GatewayIdentityDefaults.LoginPath + "?returnUrl=", loginUrl, StringComparison.Ordinal);

        (HttpResponseMessage login, _) = await SubmitLoginAsync(loginUrl, username, password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        HttpResponseMessage back = await browser.GetAsync(login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Uri callback = back.Headers.Location!;
        Assert.StartsWith(redirectUri.AbsoluteUri, callback.AbsoluteUri, StringComparison.Ordinal);
        Dictionary<string, string> query = ParseQuery(callback.Query);
        Assert.Equal("state-123", query["state"]);
        return query["code"];
    }

    /// <summary>Loads the login page and posts the form; returns the answer and the page that was loaded.</summary>
    public async Task<(HttpResponseMessage Response, string Page)> SubmitLoginAsync(string loginUrl, string username, string password, bool withAntiforgery = true, string? returnUrl = null)
    {
        HttpResponseMessage page = await browser.GetAsync(loginUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync();
        var form = new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["returnUrl"] = returnUrl ?? WebUtility.HtmlDecode(HiddenField(html, "returnUrl")),
        };
        if (withAntiforgery)
        {
            form["__RequestVerificationToken"] = WebUtility.HtmlDecode(HiddenField(html, "__RequestVerificationToken"));
        }

        return (await browser.PostAsync(GatewayIdentityDefaults.LoginPath, new FormUrlEncodedContent(form)), html);
    }

    public async Task<(HttpResponseMessage Response, JsonElement Json)> RedeemAsync(string code, string? verifier = null)
    {
        HttpResponseMessage response = await browser.PostAsync(GatewayIdentityDefaults.TokenPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["client_id"] = clientId,
            ["code_verifier"] = verifier ?? Verifier,
        }));
        return (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public static string HiddenField(string html, string name)
    {
        Match match = Regex.Match(html, "name=\"" + Regex.Escape(name) + "\" value=\"([^\"]*)\"");
        Assert.True(match.Success, $"no hidden field {name} in the page");
        return match.Groups[1].Value;
    }

    public static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : string.Empty));
}
