using System.Globalization;
using Gateway.Audit;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gateway.Host.Admin.Pages;

/// <summary>
/// The compliance officer's page: audit search with filters (time, patient id, user or AE title, event, outcome), sortable
/// by every column and paged; export of verifiable bundles; full verification and the latest signed checkpoint.
/// </summary>
/// <remarks>Filters travel in POST bodies only: a patient id never appears in a URL, a title or a log line.</remarks>
[AdminOperation(PolicyOperation.AuditRead)]
public sealed class AuditModel(AuditConsole audit) : PageModel
{
    /// <summary>The search form.</summary>
    [BindProperty]
    public AuditSearchForm Form { get; set; } = new();

    /// <summary>A column heading pressed: sort by it (again: the other way round).</summary>
    [BindProperty(Name = "sortBy")]
    public AuditSortColumn? SortBy { get; set; }

    /// <summary>The results, after a search.</summary>
    public AuditSearchPage? Results { get; private set; }

    /// <summary>What went wrong, for the page.</summary>
    public string? Error { get; private set; }

    /// <summary>The verification just run, when one was.</summary>
    public AuditVerificationState? Verified { get; private set; }

    /// <summary>The console's audit service.</summary>
    public AuditConsole Audit => audit;

    /// <summary>The caller's access.</summary>
    public AdminAccess Access { get; private set; } = null!;

    /// <summary>Event ids offered in the filter.</summary>
    public static IReadOnlyList<AuditEventId> Events { get; } = Enum.GetValues<AuditEventId>();

    /// <summary>Shows the empty form.</summary>
    public void OnGet() => Access = AdminAccess.For(HttpContext);

    /// <summary>Searches.</summary>
    public async Task<IActionResult> OnPostSearchAsync()
    {
        Access = AdminAccess.For(HttpContext);
        if (SortBy is { } column)
        {
            Form.Descending = Form.Sort == column && !Form.Descending;
            Form.Sort = column;
            Form.Page = 1;
            ModelState.Remove("Form.Sort");
            ModelState.Remove("Form.Descending");
        }

        if (!TryFilter(out AuditFilter? filter))
        {
            return Page();
        }

        try
        {
            Results = await audit.SearchAsync(Access.Caller, filter, Form.Sort, Form.Descending, Form.Page, HttpContext.RequestAborted);
        }
        catch (AuditLogException ex)
        {
            Error = "The search failed: " + ex.Message;
        }

        return Page();
    }

    /// <summary>Streams an export bundle (zip) of the records the filters select.</summary>
    public async Task<IActionResult> OnPostExportAsync()
    {
        Access = AdminAccess.For(HttpContext);
        if (!Access.Allows(PolicyOperation.AuditExport))
        {
            return AdminResults.Forbidden();
        }

        if (!TryFilter(out AuditFilter? filter))
        {
            return Page();
        }

        string name = "audit-export-" + DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".zip";
        Response.ContentType = "application/zip";
        Response.Headers.ContentDisposition = "attachment; filename=\"" + name + "\"";
        await audit.ExportAsync(Access.Caller, filter, Form.Format, Response.Body, HttpContext.RequestAborted);
        return new EmptyResult();
    }

    /// <summary>Verifies the whole log.</summary>
    public async Task<IActionResult> OnPostVerifyAsync()
    {
        Access = AdminAccess.For(HttpContext);
        if (!Access.Allows(PolicyOperation.AuditVerify))
        {
            return AdminResults.Forbidden();
        }

        ModelState.Clear();
        Verified = await audit.VerifyAsync(Access.Caller, HttpContext.RequestAborted);
        if (Verified is null)
        {
            Error = "A verification is running already; its result will show here.";
        }

        return Page();
    }

    private bool TryFilter([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AuditFilter? filter)
    {
        filter = null;
        if (!ModelState.IsValid)
        {
            Error = "Check the filters: " + string.Join("; ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage));
            return false;
        }

        if (Form.From is { } from && Form.To is { } to && to <= from)
        {
            Error = "'To' must be after 'From'.";
            return false;
        }

        filter = new AuditFilter
        {
            From = Form.From is { } f ? new DateTimeOffset(DateTime.SpecifyKind(f, DateTimeKind.Utc)) : null,
            To = Form.To is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null,
            PatientId = Blank(Form.PatientId),
            User = Blank(Form.User),
            AeTitle = Blank(Form.AeTitle),
            EventId = Form.Event,
            Outcome = Form.Outcome,
        };
        return true;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The audit search form.</summary>
public sealed class AuditSearchForm
{
    /// <summary>Event time at or after (UTC).</summary>
    public DateTime? From { get; set; }

    /// <summary>Event time before (UTC).</summary>
    public DateTime? To { get; set; }

    /// <summary>Patient id.</summary>
    [System.ComponentModel.DataAnnotations.StringLength(64)]
    public string? PatientId { get; set; }

    /// <summary>User or client id.</summary>
    [System.ComponentModel.DataAnnotations.StringLength(256)]
    public string? User { get; set; }

    /// <summary>AE title.</summary>
    [System.ComponentModel.DataAnnotations.StringLength(16)]
    public string? AeTitle { get; set; }

    /// <summary>Event.</summary>
    public AuditEventId? Event { get; set; }

    /// <summary>Outcome.</summary>
    public AuditEventOutcome? Outcome { get; set; }

    /// <summary>Sort column.</summary>
    public AuditSortColumn Sort { get; set; } = AuditSortColumn.Time;

    /// <summary>Descending.</summary>
    public bool Descending { get; set; } = true;

    /// <summary>Page, from 1.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int Page { get; set; } = 1;

    /// <summary>Export format.</summary>
    public AuditExportFormat Format { get; set; } = AuditExportFormat.Jsonl;
}
