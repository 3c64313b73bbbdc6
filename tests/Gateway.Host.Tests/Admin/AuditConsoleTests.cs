using Gateway.Audit;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Dicom.Network.Interop.Tests.Support;
using Gateway.Host.Admin;
using Gateway.Host.Configuration;
using Gateway.Host.DicomWeb;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Tests.Admin;

/// <summary>
/// The console's audit search keeps at most <see cref="AdminOptions.MaxSearchResults"/> matches (an unbounded search
/// must not hold a whole log in memory), says when it cut, pages what it kept, and is itself recorded first.
/// </summary>
public sealed class AuditConsoleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Search_MoreMatchesThanTheLimit_KeepsTheLimitSaysItCutAndPages()
    {
        await using AuditLog log = await AuditLog.OpenAsync(new AuditLogOptions { Directory = _temp.Sub("audit"), Origin = "test.local/audit" });
        DateTimeOffset start = DateTimeOffset.UtcNow;
        for (int i = 0; i < 30; i++)
        {
            await log.AppendAsync(Alert(start.AddSeconds(i), i));
        }

        var console = new AuditConsole(
            log,
            Options.Create(new AdminOptions { MaxSearchResults = 10, PageSize = 4 }),
            Options.Create(new GatewayOptions()),
            TimeProvider.System);
        var caller = new DicomWebCaller(null, "bob.schulz", ["compliance"], System.Net.IPAddress.Loopback, null);
        var alerts = new AuditFilter { EventId = AuditEventId.SecurityAlert };

        AuditSearchPage first = await console.SearchAsync(caller, alerts, AuditSortColumn.Time, descending: false, page: 1, CancellationToken.None);
        AuditSearchPage last = await console.SearchAsync(caller, alerts, AuditSortColumn.Time, descending: false, page: 99, CancellationToken.None);

        Assert.Equal((10, true, 3), (first.Matched, first.Cut, first.Pages));
        Assert.Equal(4, first.Rows.Count);
        Assert.Equal((3, 2), (last.Page, last.Rows.Count));
        Assert.Equal(first.Rows.Select(r => r.Index).Order(), first.Rows.Select(r => r.Index));

        AuditSearchPage all = await console.SearchAsync(caller, new AuditFilter { EventId = AuditEventId.AuditLogUsed }, AuditSortColumn.Time, descending: false, page: 1, CancellationToken.None);
        Assert.Equal((3, false), (all.Matched, all.Cut));
    }

    private static AuditRecord Alert(DateTimeOffset at, int n) => new()
    {
        EventId = AuditEventId.SecurityAlert,
        Action = AuditEventAction.Execute,
        EventTime = at,
        Outcome = AuditEventOutcome.MinorFailure,
        OutcomeDescription = "denied " + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ActiveParticipants = [AuditRecords.ApplicationEntity("STRANGER", "10.9.9.9", isRequestor: true)],
        Source = new AuditSource { SourceId = "test" },
    };
}
