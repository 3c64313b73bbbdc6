using Gateway.Policy;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Host.Admin.Pages;

/// <summary>The landing page: who you are, the pages your roles open, and the gateway's readiness.</summary>
public sealed class IndexModel(HealthCheckService health) : PageModel
{
    /// <summary>The caller's access.</summary>
    public AdminAccess Access { get; private set; } = null!;

    /// <summary>The pages the caller may open.</summary>
    public IReadOnlyList<(string Href, string Name, string What)> Areas { get; private set; } = [];

    /// <summary>The readiness checks.</summary>
    public HealthReport Health { get; private set; } = null!;

    /// <summary>Shows the page.</summary>
    public async Task OnGetAsync()
    {
        Access = AdminAccess.For(HttpContext);
        var areas = new List<(string, string, string)>();
        if (Access.Shows(PolicyOperation.PolicyRead))
        {
            areas.Add(("/admin/security", "Security", "Observed flows against the policy, denied attempts, lint, explain, and what a candidate policy would change."));
        }

        if (Access.Shows(PolicyOperation.AuditRead))
        {
            areas.Add(("/admin/audit", "Audit", "Search the tamper-evident audit log, export verifiable bundles, verify the log."));
        }

        if (Access.Shows(PolicyOperation.DrillRead))
        {
            areas.Add(("/admin/backup", "Backup", "Snapshots, restore drills with achieved RTO and RPO, study restore."));
        }

        if (Access.Shows(PolicyOperation.QueueRead))
        {
            areas.Add(("/admin/operations", "Operations", "Forwarding queues and their figures, dead letters, health."));
        }

        Areas = areas;
        Health = await health.CheckHealthAsync(check => check.Tags.Contains("ready"), HttpContext.RequestAborted);
    }
}
