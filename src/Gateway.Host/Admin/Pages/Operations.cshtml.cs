using System.Globalization;
using System.Text.Json;
using Gateway.Archive;
using Gateway.Archive.Outbox;
using Gateway.Host.Archive;
using Gateway.Host.DicomWeb;
using Gateway.Audit.Records;
using Gateway.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Host.Admin.Pages;

/// <summary>
/// The operators' page: per-destination queues with their queueing figures (λ, μ, ρ and the predicted wait) as charts
/// and a table, the dead letters with retry, and health.
/// </summary>
[AdminOperation(PolicyOperation.QueueRead)]
public sealed class OperationsModel(ArchiveStore archive, QueueFigures figures, HealthCheckService health, Audit.GatewayAudit audit) : PageModel
{
    /// <summary>Dead letters listed at most.</summary>
    public const int MaxDeadLetters = 200;

    /// <summary>The figures per destination.</summary>
    public IReadOnlyList<DestinationFigures> Figures { get; private set; } = [];

    /// <summary>Counts per destination.</summary>
    public IReadOnlyList<OutboxCounts> Counts { get; private set; } = [];

    /// <summary>Dead-lettered items.</summary>
    public IReadOnlyList<OutboxItem> DeadLetters { get; private set; } = [];

    /// <summary>The readiness checks.</summary>
    public HealthReport Health { get; private set; } = null!;

    /// <summary>The chart's data (labels and series), as JSON for the page's script.</summary>
    public string ChartJson { get; private set; } = "{}";

    /// <summary>The result of a retry, for the page.</summary>
    public string? Message { get; private set; }

    /// <summary>The caller's access.</summary>
    public AdminAccess Access { get; private set; } = null!;

    /// <summary>Shows the page.</summary>
    public Task OnGetAsync() => LoadAsync();

    /// <summary>Sends dead letters again: one item, or all of a destination.</summary>
    public async Task<IActionResult> OnPostRetryAsync(long? id, string? destination)
    {
        Access = AdminAccess.For(HttpContext);
        if (!Access.Allows(PolicyOperation.QueueRetry))
        {
            return AdminResults.Forbidden();
        }

        var retry = id is { } one ? new OutboxRetry { Id = one } : new OutboxRetry { AllDead = true, Destination = string.IsNullOrEmpty(destination) ? null : destination };
        int changed = await archive.Outbox.RetryAsync(retry, HttpContext.RequestAborted);
        await audit.RecordWebAsync(
            AuditEventId.ApplicationActivity,
            AuditEventAction.Execute,
            AuditEventOutcome.Success,
            Access.Caller,
            decision: null,
            objects: [],
            string.Create(CultureInfo.InvariantCulture, $"admin console: queue retry {(id is { } i ? "item " + i : "dead letters of " + (destination ?? "every destination"))}: {changed} item(s)"),
            HttpContext.RequestAborted);
        Message = changed == 0 ? "Nothing to send again." : $"{changed} item(s) queued again.";
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        Access ??= AdminAccess.For(HttpContext);
        await figures.RefreshAsync(HttpContext.RequestAborted);
        Figures = figures.Latest;
        Counts = await archive.Outbox.GetCountsAsync(HttpContext.RequestAborted);
        DeadLetters = await archive.Outbox.ListAsync(new OutboxQuery { States = [OutboxState.DeadLetter], Limit = MaxDeadLetters }, HttpContext.RequestAborted);
        Health = await health.CheckHealthAsync(check => check.Tags.Contains("ready"), HttpContext.RequestAborted);
        ChartJson = JsonSerializer.Serialize(new
        {
            labels = Figures.Select(f => f.Destination).ToArray(),
            arrival = Figures.Select(f => Math.Round(f.ArrivalRate, 3)).ToArray(),
            service = Figures.Select(f => f.ServiceRate is { } mu ? Math.Round(mu, 3) : (double?)null).ToArray(),
            utilisation = Figures.Select(f => f.Utilisation is { } rho ? Math.Round(rho, 3) : (double?)null).ToArray(),
            depth = Figures.Select(f => f.Depth).ToArray(),
        });
    }
}
