using System.Globalization;
using System.Text;
using Gateway.Audit;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Verification;
using Gateway.Host.Configuration;
using Gateway.Host.DicomWeb;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Admin;

/// <summary>
/// The compliance officer's side of the audit log in the console: search (filter, sort, page), one record, verifiable
/// export bundles streamed as a download, and full verification with its last result. Every search, view and export is
/// itself written to the log (Audit Log Used, 110101) before its result is shown.
/// </summary>
/// <remarks>
/// A search reads the log from the start (filters on the clear header first, decrypting only candidates) and keeps at
/// most <see cref="AdminOptions.MaxSearchResults"/> matches for sorting and paging; a page says when it was cut.
/// </remarks>
public sealed class AuditConsole(AuditLog log, IOptions<AdminOptions> admin, IOptions<GatewayOptions> gateway, TimeProvider time)
{
    private readonly AuditSource _source = new() { SourceId = gateway.Value.AETitle + "@" + Environment.MachineName };
    private readonly SemaphoreSlim _verifying = new(1, 1);
    private volatile AuditVerificationState? _lastVerification;

    /// <summary>The latest signed checkpoint of the running log.</summary>
    public Checkpoint? LatestCheckpoint => log.LatestCheckpoint;

    /// <summary>Records in the log.</summary>
    public long Size => log.Size;

    /// <summary>The result of the last full verification since start, or null.</summary>
    public AuditVerificationState? LastVerification => _lastVerification;

    /// <summary>Searches, sorts and pages; records the search first.</summary>
    /// <exception cref="AuditLogException">The search could not be audited or the log could not be read.</exception>
    public async Task<AuditSearchPage> SearchAsync(DicomWebCaller caller, AuditFilter filter, AuditSortColumn sort, bool descending, int page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await RecordUseAsync(caller, AuditEventAction.Execute, "search " + Describe(filter), filter.PatientId, cancellationToken).ConfigureAwait(false);
        int max = admin.Value.MaxSearchResults;
        List<AuditRow> rows = await Task.Run(() => AuditSearch.Search(log, filter).Take(max + 1).Select(AuditRow.From).ToList(), cancellationToken).ConfigureAwait(false);
        bool cut = rows.Count > max;
        if (cut)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        IEnumerable<AuditRow> sorted = sort switch
        {
            AuditSortColumn.Time => rows.OrderBy(r => r.Time).ThenBy(r => r.Index),
            AuditSortColumn.Event => rows.OrderBy(r => r.Event, StringComparer.Ordinal).ThenBy(r => r.Index),
            AuditSortColumn.Outcome => rows.OrderBy(r => r.Outcome).ThenBy(r => r.Index),
            AuditSortColumn.Who => rows.OrderBy(r => r.Who, StringComparer.Ordinal).ThenBy(r => r.Index),
            AuditSortColumn.Address => rows.OrderBy(r => r.Address, StringComparer.Ordinal).ThenBy(r => r.Index),
            AuditSortColumn.Patient => rows.OrderBy(r => r.Patients, StringComparer.Ordinal).ThenBy(r => r.Index),
            AuditSortColumn.Description => rows.OrderBy(r => r.Description, StringComparer.Ordinal).ThenBy(r => r.Index),
            _ => rows.OrderBy(r => r.Index),
        };
        if (descending)
        {
            sorted = sorted.Reverse();
        }

        int size = admin.Value.PageSize;
        int pages = Math.Max(1, (rows.Count + size - 1) / size);
        page = Math.Clamp(page, 1, pages);
        return new AuditSearchPage([.. sorted.Skip((page - 1) * size).Take(size)], rows.Count, cut, page, pages);
    }

    /// <summary>One record, decrypted, or null; records the view first.</summary>
    public async Task<AuditSearchHit?> ReadAsync(DicomWebCaller caller, long index, CancellationToken cancellationToken)
    {
        await RecordUseAsync(caller, AuditEventAction.Read, "record " + index.ToString(CultureInfo.InvariantCulture), null, cancellationToken).ConfigureAwait(false);
        return AuditSearch.Read(log, index);
    }

    /// <summary>Streams a verifiable export bundle (zip) of the records <paramref name="filter"/> selects to <paramref name="destination"/>.</summary>
    public Task<AuditExportResult> ExportAsync(DicomWebCaller caller, AuditFilter filter, AuditExportFormat format, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var request = new AuditExportRequest
        {
            Filter = filter,
            Format = format,
            OutputPath = "(download to " + caller.Principal + ")",
            Requestor = Audit.GatewayAudit.Requestor(caller),
            Source = _source,
        };
        return AuditExporter.ExportZipAsync(log, request, destination, cancellationToken);
    }

    /// <summary>Verifies the whole log (chain, leaves, Merkle roots, every checkpoint signature); one at a time.</summary>
    /// <returns>The result, or null when a verification is running already.</returns>
    public async Task<AuditVerificationState?> VerifyAsync(DicomWebCaller caller, CancellationToken cancellationToken)
    {
        if (!await _verifying.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        try
        {
            await RecordUseAsync(caller, AuditEventAction.Execute, "verify", null, cancellationToken).ConfigureAwait(false);
            // The log is live: sign what is there now, then verify; records appended meanwhile are reported as not yet
            // signed (the writer signs them within its checkpoint interval), not as a failure.
            await log.CheckpointAsync(cancellationToken).ConfigureAwait(false);
            DateTimeOffset started = time.GetUtcNow();
            AuditVerificationReport report = await Task.Run(() => AuditLogVerifier.Verify(log.Paths.Root, log.Verifier, new AuditVerifyOptions { AllowUnsignedTail = true }), cancellationToken).ConfigureAwait(false);
            var state = new AuditVerificationState(started, time.GetUtcNow() - started, report.IsValid, report.RecordCount, report.ValidCheckpointCount, report.LatestCheckpoint?.Size, report.UnsignedRecords, [.. report.Problems.Take(20).Select(p => p.ToString())], caller.Principal);
            _lastVerification = state;
            return state;
        }
        finally
        {
            _verifying.Release();
        }
    }

    private async Task RecordUseAsync(DicomWebCaller caller, AuditEventAction action, string what, string? patientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var objects = new List<AuditParticipantObject>
        {
            AuditRecords.AuditLog(new Uri(log.Paths.Root).AbsoluteUri) with { Query = Encoding.UTF8.GetBytes(what), Description = "Security Audit Log" },
        };
        if (patientId is not null)
        {
            objects.Add(AuditRecords.Patient(patientId));
        }

        var record = new AuditRecord
        {
            EventId = AuditEventId.AuditLogUsed,
            Action = action,
            EventTime = time.GetUtcNow(),
            Outcome = AuditEventOutcome.Success,
            OutcomeDescription = "admin console: " + (what.StartsWith("search", StringComparison.Ordinal) ? "search" : what),
            ActiveParticipants = [Audit.GatewayAudit.Requestor(caller)],
            Source = _source,
            ParticipantObjects = objects,
        };
        await log.AppendAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(AuditFilter filter)
    {
        var parts = new List<string>();
        if (filter.From is { } from)
        {
            parts.Add("from=" + from.ToString("O", CultureInfo.InvariantCulture));
        }

        if (filter.To is { } to)
        {
            parts.Add("to=" + to.ToString("O", CultureInfo.InvariantCulture));
        }

        if (filter.PatientId is not null)
        {
            parts.Add("patient=(given)");
        }

        if (filter.User is { } user)
        {
            parts.Add("user=" + user);
        }

        if (filter.AeTitle is { } ae)
        {
            parts.Add("ae=" + ae);
        }

        if (filter.EventId is { } eventId)
        {
            parts.Add("event=" + ((int)eventId).ToString(CultureInfo.InvariantCulture));
        }

        if (filter.Outcome is { } outcome)
        {
            parts.Add("outcome=" + ((int)outcome).ToString(CultureInfo.InvariantCulture));
        }

        return parts.Count == 0 ? "(all)" : string.Join(' ', parts);
    }
}

/// <summary>A column of the audit search results.</summary>
public enum AuditSortColumn
{
    /// <summary>Log order.</summary>
    Index,

    /// <summary>Event time.</summary>
    Time,

    /// <summary>Event.</summary>
    Event,

    /// <summary>Outcome.</summary>
    Outcome,

    /// <summary>Requestor.</summary>
    Who,

    /// <summary>Requestor's address.</summary>
    Address,

    /// <summary>Patient ids.</summary>
    Patient,

    /// <summary>Outcome description.</summary>
    Description,
}

/// <summary>One page of search results.</summary>
/// <param name="Rows">The rows of this page.</param>
/// <param name="Matched">Matches kept (at most the configured maximum).</param>
/// <param name="Cut">True when more records matched than were kept.</param>
/// <param name="Page">This page, from 1.</param>
/// <param name="Pages">Pages in all.</param>
public sealed record AuditSearchPage(IReadOnlyList<AuditRow> Rows, int Matched, bool Cut, int Page, int Pages);

/// <summary>A record as the search table shows it.</summary>
/// <param name="Index">Its index in the log.</param>
/// <param name="Time">Event time (UTC).</param>
/// <param name="Event">Event name, with the type code's meaning when there is one.</param>
/// <param name="Outcome">Outcome code (0 success, 4 minor, 8 serious, 12 major failure).</param>
/// <param name="Who">The requestor (user, client or AE title).</param>
/// <param name="Address">The requestor's network address.</param>
/// <param name="Patients">Patient ids named (PHI: shown on the page only, never in a URL or title).</param>
/// <param name="Description">The outcome description.</param>
public sealed record AuditRow(long Index, DateTimeOffset Time, string Event, AuditEventOutcome Outcome, string Who, string Address, string Patients, string Description)
{
    /// <summary>The row of a hit.</summary>
    public static AuditRow From(AuditSearchHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        AuditRecord record = hit.Record;
        AuditActiveParticipant? requestor = record.ActiveParticipants.FirstOrDefault(p => p.UserIsRequestor) ?? record.ActiveParticipants.FirstOrDefault();
        string eventName = AuditCodes.Meaning(record.EventId);
        if (record.EventTypeCodes.Count > 0)
        {
            eventName += " / " + record.EventTypeCodes[0].Meaning;
        }

        return new AuditRow(
            hit.Index,
            record.EventTime.ToUniversalTime(),
            eventName,
            record.Outcome,
            requestor?.UserId ?? "-",
            requestor?.NetworkAccessPointId ?? "-",
            string.Join(", ", record.ParticipantObjects.Where(o => o.IsPatient).Select(o => o.ObjectId.TrimEnd(' ')).Distinct(StringComparer.Ordinal)),
            record.OutcomeDescription ?? string.Empty);
    }
}

/// <summary>The result of a full verification of the audit log.</summary>
/// <param name="At">When it started (UTC).</param>
/// <param name="Took">How long it took.</param>
/// <param name="Valid">True when nothing was wrong.</param>
/// <param name="Records">Records verified.</param>
/// <param name="ValidCheckpoints">Checkpoints whose signature and root held.</param>
/// <param name="LatestCheckpointSize">The tree size of the latest valid checkpoint.</param>
/// <param name="UnsignedRecords">Records appended after the latest checkpoint (not yet signed by the writer).</param>
/// <param name="Problems">The first problems found.</param>
/// <param name="By">Who asked for it.</param>
public sealed record AuditVerificationState(DateTimeOffset At, TimeSpan Took, bool Valid, long Records, int ValidCheckpoints, long? LatestCheckpointSize, long UnsignedRecords, IReadOnlyList<string> Problems, string By);
