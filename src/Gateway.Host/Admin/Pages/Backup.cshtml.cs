using System.Globalization;
using System.Text.Json;
using Gateway.Host.Backup;
using Gateway.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gateway.Host.Admin.Pages;

/// <summary>
/// The incident responder's page: snapshots (age, size, retention, signature), restore drills with achieved RTO and RPO
/// against their targets (a chart and a table), starting a snapshot or a drill, restoring one study into the running
/// archive, and archive verification.
/// </summary>
/// <remarks>Every action goes through <see cref="GatewayBackups"/>, which runs one at a time and audits it with the requester.</remarks>
[AdminOperation(PolicyOperation.DrillRead)]
public sealed class BackupModel(GatewayBackups backups) : PageModel
{
    /// <summary>The backups service.</summary>
    public GatewayBackups Backups => backups;

    /// <summary>Snapshots, newest first.</summary>
    public IReadOnlyList<BackupSnapshotInfo> Snapshots { get; private set; } = [];

    /// <summary>Drills, newest first.</summary>
    public IReadOnlyList<BackupDrillInfo> Drills { get; private set; } = [];

    /// <summary>The chart's data.</summary>
    public string ChartJson { get; private set; } = "{}";

    /// <summary>The outcome of the action just taken.</summary>
    public string? Message { get; private set; }

    /// <summary>True when the action just taken failed or was refused.</summary>
    public bool MessageIsError { get; private set; }

    /// <summary>The study to restore.</summary>
    [BindProperty]
    [System.ComponentModel.DataAnnotations.RegularExpression(@"^[0-9]+(\.[0-9]+)*$", ErrorMessage = "A Study Instance UID is digits and dots.")]
    [System.ComponentModel.DataAnnotations.StringLength(64)]
    public string? StudyUid { get; set; }

    /// <summary>The snapshot to restore it from (none: the newest that holds it).</summary>
    [BindProperty]
    public string? SnapshotId { get; set; }

    /// <summary>The caller's access.</summary>
    public AdminAccess Access { get; private set; } = null!;

    /// <summary>Shows the page.</summary>
    public Task OnGetAsync() => LoadAsync();

    /// <summary>Takes a snapshot now.</summary>
    public Task<IActionResult> OnPostSnapshotAsync() =>
        ActAsync(PolicyOperation.BackupCreate, async who => Describe(await backups.SnapshotNowAsync(who, HttpContext.RequestAborted), r => $"Snapshot {r.Snapshot.Id} taken: {r.NewBlobs} new file(s), {r.NewBytes / 1024.0 / 1024.0:0.0} MiB new, in {r.Elapsed.TotalSeconds:0.0} s."));

    /// <summary>Runs a restore drill now.</summary>
    public Task<IActionResult> OnPostDrillAsync() =>
        ActAsync(PolicyOperation.DrillRun, async who => Describe(await backups.RunDrillAsync(who, HttpContext.RequestAborted), d => $"Drill {d.Id}: {(d.Passed ? "passed" : "FAILED")}, RTO {d.Rto.TotalSeconds:0.0} s (target {d.RtoTarget.TotalSeconds:0} s), RPO {d.Rpo.TotalSeconds:0} s (target {d.RpoTarget.TotalSeconds:0} s), {d.StudiesOk} of {d.StudiesSampled} sampled studies retrieved."));

    /// <summary>Restores one study into the running archive.</summary>
    public Task<IActionResult> OnPostRestoreAsync() =>
        ActAsync(PolicyOperation.BackupRestore, async who =>
        {
            if (!ModelState.IsValid || string.IsNullOrWhiteSpace(StudyUid))
            {
                return ("Give the Study Instance UID to restore (digits and dots).", true);
            }

            return Describe(
                await backups.RestoreStudyAsync(StudyUid.Trim(), string.IsNullOrWhiteSpace(SnapshotId) ? null : SnapshotId.Trim(), who, HttpContext.RequestAborted),
                r => $"Study restored from snapshot {r.SnapshotId}: {r.Restored} instance(s) restored, {r.AlreadyPresent} already present, {r.Conflicts} conflict(s), of {r.Instances}.");
        });

    /// <summary>Verifies every archive object's GCM tags.</summary>
    public Task<IActionResult> OnPostVerifyAsync() =>
        ActAsync(PolicyOperation.BackupCreate, async who => Describe(await backups.VerifyArchiveAsync(who, HttpContext.RequestAborted), v => v.IsValid
            ? $"Archive verified: {v.ObjectsChecked} object(s), all intact."
            : $"Archive verification found {v.Damaged.Count} damaged object(s): see the list below and the Security Alert in the audit log."));

    private async Task<IActionResult> ActAsync(PolicyOperation operation, Func<string, Task<(string Message, bool IsError)>> action)
    {
        Access = AdminAccess.For(HttpContext);
        if (!Access.Allows(operation))
        {
            return AdminResults.Forbidden();
        }

        (Message, MessageIsError) = await action(Access.Who);
        await LoadAsync();
        return Page();
    }

    private static (string, bool) Describe<T>(BackupOperationResult<T> result, Func<T, string> completed)
        where T : class =>
        result is { Status: BackupOperationStatus.Completed, Value: { } value } ? (completed(value), false) : (result.Message, true);

    private async Task LoadAsync()
    {
        Access ??= AdminAccess.For(HttpContext);
        Snapshots = [.. (await backups.ListSnapshotsAsync(HttpContext.RequestAborted)).Reverse()];
        Drills = [.. (await backups.ListDrillsAsync(HttpContext.RequestAborted)).OrderByDescending(d => d.StartedUtc)];
        BackupDrillInfo[] chronological = [.. Drills.Reverse().TakeLast(30)];
        ChartJson = JsonSerializer.Serialize(new
        {
            labels = chronological.Select(d => d.StartedUtc.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture)).ToArray(),
            rto = chronological.Select(d => Math.Round(d.Rto.TotalSeconds, 1)).ToArray(),
            rtoTarget = chronological.Select(d => Math.Round(d.RtoTarget.TotalSeconds, 1)).ToArray(),
            rpo = chronological.Select(d => Math.Round(d.Rpo.TotalSeconds, 1)).ToArray(),
        });
    }
}
