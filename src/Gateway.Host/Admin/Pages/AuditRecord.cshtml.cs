using Gateway.Audit;
using Gateway.Audit.Export;
using Gateway.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gateway.Host.Admin.Pages;

/// <summary>One audit record in full (its index is in the URL; nothing else is).</summary>
[AdminOperation(PolicyOperation.AuditRead)]
public sealed class AuditRecordModel(AuditConsole audit) : PageModel
{
    /// <summary>The record.</summary>
    public AuditSearchHit? Hit { get; private set; }

    /// <summary>Reads the record.</summary>
    public async Task<IActionResult> OnGetAsync(long index)
    {
        try
        {
            Hit = await audit.ReadAsync(AdminAccess.For(HttpContext).Caller, index, HttpContext.RequestAborted);
        }
        catch (AuditLogException ex)
        {
            return Content("The record could not be read: " + ex.Message);
        }

        return Hit is null ? NotFound() : Page();
    }
}
