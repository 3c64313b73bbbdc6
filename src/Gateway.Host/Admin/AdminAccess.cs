using Gateway.Host.DicomWeb;
using Gateway.Host.Policy;
using Gateway.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Admin;

/// <summary>The admin operation a console page needs; the page is refused (403, audited as a Security Alert) without it.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class AdminOperationAttribute(PolicyOperation operation) : Attribute
{
    /// <summary>The operation.</summary>
    public PolicyOperation Operation { get; } = operation;
}

/// <summary>Checks each page's <see cref="AdminOperationAttribute"/> against the policy before any handler runs.</summary>
internal sealed class AdminAccessFilter(GatewayPolicy policy, IOptions<AdminOptions> options) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HandlerInstance is PageModel page
            && page.GetType().GetCustomAttributes(typeof(AdminOperationAttribute), inherit: true) is [AdminOperationAttribute required]
            && !policy.CheckWeb(DicomWebCaller.From(context.HttpContext), options.Value.Service, required.Operation).IsAllowed)
        {
            context.Result = AdminResults.Forbidden();
            return;
        }

        await next().ConfigureAwait(false);
    }
}

/// <summary>The console's answers that are not pages.</summary>
public static class AdminResults
{
    /// <summary>403 with a short page (a browser shows it; no detail of what the page holds).</summary>
    public static IActionResult Forbidden() => new ContentResult
    {
        StatusCode = StatusCodes.Status403Forbidden,
        ContentType = "text/html; charset=utf-8",
        Content = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed · DICOM gateway</title>"
            + "<link rel=\"stylesheet\" href=\"/admin/static/admin.css\"></head><body><main><h1>Not allowed</h1>"
            + "<p>The policy does not grant your roles this page or action. The attempt was recorded.</p>"
            + "<p><a href=\"/admin\">Back to the overview</a></p></main></body></html>",
    };
}

/// <summary>What the signed-in person may see and do in the console, for pages and navigation.</summary>
public sealed class AdminAccess
{
    private readonly GatewayPolicy _policy;
    private readonly string _service;
    private readonly DicomWebCaller _caller;

    /// <summary>The access of the request's caller.</summary>
    public AdminAccess(HttpContext context, GatewayPolicy policy, AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        _policy = policy;
        _service = options.Service;
        _caller = DicomWebCaller.From(context);
    }

    /// <summary>Who is signed in (user id).</summary>
    public string Who => _caller.Principal;

    /// <summary>The caller as the policy and the audit log see it.</summary>
    public DicomWebCaller Caller => _caller;

    /// <summary>The caller's roles.</summary>
    public IReadOnlyList<string> Roles => _caller.Roles;

    /// <summary>Whether to show what needs <paramref name="operation"/> (no audit record: showing is not doing).</summary>
    public bool Shows(PolicyOperation operation) => _policy.WouldAllow(_caller, _service, operation);

    /// <summary>Decides an action that needs <paramref name="operation"/>; a refusal is logged and audited.</summary>
    public bool Allows(PolicyOperation operation) => _policy.CheckWeb(_caller, _service, operation).IsAllowed;

    /// <summary>The access of <paramref name="context"/>'s caller.</summary>
    public static AdminAccess For(HttpContext context) => new(
        context,
        context.RequestServices.GetRequiredService<GatewayPolicy>(),
        context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value);
}

/// <summary>The readiness checks as a page's table shows them.</summary>
/// <param name="Report">The report of the checks tagged <c>ready</c>.</param>
/// <param name="Caption">The table's caption.</param>
public sealed record HealthTable(Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport Report, string Caption);
