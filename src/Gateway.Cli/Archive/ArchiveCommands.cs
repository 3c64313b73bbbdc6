using System.CommandLine;
using System.Globalization;
using System.Text;
using Gateway.Archive;
using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Outbox;

namespace Gateway.Cli.Archive;

/// <summary>
/// <c>gatewayctl keys rotate|status</c> and <c>gatewayctl queue list|retry</c>: the encrypted archive's keys and outbox,
/// offline on the data directory.
/// </summary>
/// <remarks>
/// <c>keys rotate</c> needs the archive to itself (stop the gateway first; exit 5 otherwise). <c>keys status</c>,
/// <c>queue list</c> and <c>queue retry</c> work beside a running gateway: they go through SQLite's locking and never
/// touch objects. Exit codes: 0 success; 1 usage; 2 bad input (no archive there, a key missing or unprotected, no such
/// item); 4 <c>keys status</c> found rows under a key version that is not at hand; 5 archive in use.
/// </remarks>
internal static class ArchiveCommands
{
    public static IEnumerable<Command> Create(TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var keys = new Command("keys", "The archive's key-encryption keys: rotate them, or show their status.");
        keys.Subcommands.Add(CreateRotate(stdout, stderr));
        keys.Subcommands.Add(CreateStatus(stdout, stderr));
        var queue = new Command("queue", "The archive's outbox (store-and-forward): list items, retry dead letters.");
        queue.Subcommands.Add(CreateList(stdout, stderr));
        queue.Subcommands.Add(CreateRetry(stdout, stderr));
        return [keys, queue];
    }

    private static Command CreateRotate(TextWriter stdout, TextWriter stderr)
    {
        var options = new ArchiveCommandOptions();
        var command = new Command(
            "rotate",
            "Create a new key-encryption key version (or, with keys from the environment, move to its highest version) and re-wrap every data key under it without re-encrypting any object; remove key files no row uses any more. Stop the gateway first.");
        options.AddTo(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            using ArchiveStore store = ArchiveStore.Open(options.Options(result));
            await WriteOpenReportAsync(stdout, store.OpenReport).ConfigureAwait(false);
            KeyRotationResult rotation = await store.RotateKeysAsync(ct).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"rotated: every data key is wrapped under key version {rotation.Version}{(rotation.CreatedVersion ? " (new)" : string.Empty)}; {rotation.Rewrapped} key(s) re-wrapped")).ConfigureAwait(false);
            await stdout.WriteLineAsync(rotation.RetiredVersions.Count == 0
                ? "retired: none"
                : "retired: key version(s) " + string.Join(", ", rotation.RetiredVersions.Select(v => v.ToString(CultureInfo.InvariantCulture))) + " (no row used them; their files were removed)").ConfigureAwait(false);
            if (!rotation.CreatedVersion)
            {
                await stdout.WriteLineAsync($"keys come from {ArchiveOptions.KekEnvironmentVariable}: drop versions below {rotation.Version} from it once 'keys status' shows them unused").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateStatus(TextWriter stdout, TextWriter stderr)
    {
        var options = new ArchiveCommandOptions();
        var command = new Command("status", "Show where the keys come from, every key version with the data keys it wraps, and whether any is missing (exit 4).");
        options.AddTo(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            using var admin = ArchiveAdmin.Open(options.Options(result));
            ArchiveKeyStatus status = admin.GetKeyStatus();
            await stdout.WriteLineAsync($"source: {status.Source} ({(status.Source == "files" ? status.KeyDirectory : ArchiveOptions.KekEnvironmentVariable)})").ConfigureAwait(false);
            if (status.DirectoryMode is { } dirMode)
            {
                await stdout.WriteLineAsync($"key directory mode: {Mode(dirMode)}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"current version: {status.CurrentVersion}")).ConfigureAwait(false);
            foreach (KeyVersionStatus v in status.Versions)
            {
                string where = v.FileMode is { } m ? $"key file {Mode(m)}" : v.Available ? "in the secret" : "NOT AVAILABLE";
                string use = v.InUse
                    ? string.Create(CultureInfo.InvariantCulture, $"{v.DataKeys} data key(s){(v.WrapsAttributeKey ? " and the attribute key" : string.Empty)}")
                    : "unused";
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"version {v.Version}: {where}, {use}")).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync("index key: " + (status.IndexKeyAvailable ? "present" : "MISSING")).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return status.HasMissingKeys || !status.IndexKeyAvailable ? ArchiveExitCodes.KeysMissing : ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateList(TextWriter stdout, TextWriter stderr)
    {
        var options = new ArchiveCommandOptions();
        var destination = new Option<string?>("--destination") { Description = "Only this destination (AE title)." };
        var state = new Option<string>("--state")
        {
            Description = "Which items: undelivered (pending, leased and dead; the default), pending, leased, dead, delivered, or all.",
            DefaultValueFactory = _ => "undelivered",
        };
        state.AcceptOnlyFromAmong("undelivered", "pending", "leased", "dead", "delivered", "all");
        var limit = new Option<int>("--limit") { Description = "At most this many items (default 100).", DefaultValueFactory = _ => 100 };
        var errors = new Option<bool>("--errors") { Description = "Show each item's last error text (decrypted; a peer's error comment may quote patient data)." };
        var command = new Command("list", "Show the outbox counts per destination and state, then the items.") { destination, state, limit, errors };
        options.AddTo(command);
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            using var admin = ArchiveAdmin.Open(options.Options(result));
            string? only = result.GetValue(destination);
            IReadOnlyList<OutboxCounts> counts = await admin.Outbox.GetCountsAsync(ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"{"DESTINATION",-16} {"PENDING",8} {"RETRYING",8} {"LEASED",8} {"DEAD",8} {"DELIVERED",9}").ConfigureAwait(false);
            foreach (OutboxCounts c in counts.Where(c => only is null || c.Destination == only))
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{Sanitize(c.Destination),-16} {c.Pending,8} {c.Retrying,8} {c.Leased,8} {c.DeadLetter,8} {c.Delivered,9}")).ConfigureAwait(false);
            }

            IReadOnlyList<OutboxState>? states = result.GetValue(state) switch
            {
                "pending" => [OutboxState.Pending],
                "leased" => [OutboxState.Leased],
                "dead" => [OutboxState.DeadLetter],
                "delivered" => [OutboxState.Delivered],
                "all" => [OutboxState.Pending, OutboxState.Leased, OutboxState.DeadLetter, OutboxState.Delivered],
                _ => null,
            };
            IReadOnlyList<OutboxItem> items = await admin.Outbox.ListAsync(new OutboxQuery { Destination = only, States = states, Limit = result.GetValue(limit) }, ct).ConfigureAwait(false);
            await stdout.WriteLineAsync().ConfigureAwait(false);
            await stdout.WriteLineAsync($"{"ID",8} {"DESTINATION",-16} {"STATE",-9} {"ATTEMPTS",8} {"ENQUEUED (UTC)",-20} {"NEXT/DONE (UTC)",-20} SOP INSTANCE UID").ConfigureAwait(false);
            bool showErrors = result.GetValue(errors);
            foreach (OutboxItem item in items)
            {
                DateTimeOffset when = item.DeliveredAt ?? item.DeadLetteredAt ?? item.NextAttemptAt;
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{item.Id,8} {Sanitize(item.Destination),-16} {StateName(item.State),-9} {item.Attempts,8} {Time(item.EnqueuedAt),-20} {Time(when),-20} {item.SopInstanceUid}")).ConfigureAwait(false);
                if (showErrors && item.HasError)
                {
                    await stdout.WriteLineAsync("         last error: " + (item.LastError is { } e ? Sanitize(e) : "(encrypted; the archive keys are not at hand)")).ConfigureAwait(false);
                }
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{items.Count} item(s)")).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateRetry(TextWriter stdout, TextWriter stderr)
    {
        var options = new ArchiveCommandOptions();
        var destination = new Option<string?>("--destination") { Description = "Only items of this destination (AE title)." };
        var id = new Option<long?>("--id") { Description = "Retry this item (dead-lettered, or pending: made due now)." };
        var allDead = new Option<bool>("--all-dead") { Description = "Retry every dead-lettered item (of --destination when given)." };
        var command = new Command("retry", "Make items due again now, with a fresh dead-letter clock: one item (--id N) or every dead letter (--all-dead).") { destination, id, allDead };
        options.AddTo(command);
        command.Validators.Add(r =>
        {
            if ((r.GetValue(id) is null) == !r.GetValue(allDead))
            {
                r.AddError("give exactly one of --id N and --all-dead");
            }
        });
        command.SetAction((result, ct) => RunGuardedAsync(stderr, async () =>
        {
            using var admin = ArchiveAdmin.Open(options.Options(result));
            long? item = result.GetValue(id);
            int changed = await admin.Outbox.RetryAsync(new OutboxRetry { Id = item, AllDead = result.GetValue(allDead), Destination = result.GetValue(destination) }, ct).ConfigureAwait(false);
            if (item is { } n && changed == 0)
            {
                throw new CliInputException(string.Create(CultureInfo.InvariantCulture, $"no dead-lettered or pending outbox item {n}{(result.GetValue(destination) is { } d ? " for " + d : string.Empty)}"));
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"retried: {changed} item(s) due now")).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task WriteOpenReportAsync(TextWriter stdout, ArchiveOpenReport report)
    {
        if (report.RepairedAnything)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"recovery: removed {report.TempFilesRemoved} temporary and {report.OrphanObjectsRemoved} unindexed object file(s), released {report.LeasesReleased} lease(s), retired {report.RetiredKeyVersions.Count} key file(s)")).ConfigureAwait(false);
        }

        if (report.MissingObjects.Count > 0)
        {
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"warning: {report.MissingObjects.Count} indexed object file(s) are missing")).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunGuardedAsync(TextWriter stderr, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (ArchiveInUseException ex)
        {
            await stderr.WriteLineAsync("error: " + Sanitize(ex.Message)).ConfigureAwait(false);
            return ArchiveExitCodes.InUse;
        }
        catch (Exception ex) when (ex is CliInputException or ArchiveKeyException or ArchiveIndexException or ArchiveIntegrityException
            or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            await stderr.WriteLineAsync("error: " + Sanitize(ex.Message)).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
    }

    private static string StateName(OutboxState state) => state switch
    {
        OutboxState.Pending => "pending",
        OutboxState.Leased => "leased",
        OutboxState.Delivered => "delivered",
        _ => "dead",
    };

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Mode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    /// <summary>Replaces control characters with \xNN so stored text cannot drive the terminal.</summary>
    private static string Sanitize(string text)
    {
        var line = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                line.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                line.Append(c);
            }
        }

        return line.ToString();
    }
}
