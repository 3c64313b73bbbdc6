using Gateway.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Admin.Pages;

/// <summary>Ends the console session (POST with the anti-forgery token), then the sign-in at the gateway's own issuer.</summary>
public sealed class SignOutModel(IOptions<AdminOptions> options) : PageModel
{
    /// <summary>Only POST signs out.</summary>
    public IActionResult OnGet() => Redirect(AdminConsole.PathBase);

    /// <summary>Signs out.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(AdminConsole.CookieScheme);
        return options.Value.Authority is null ? Redirect(GatewayIdentityDefaults.LogoutPath) : Redirect("/");
    }
}
