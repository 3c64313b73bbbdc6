using System.CommandLine;
using System.Globalization;
using Gateway.Audit;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Cli.Audit;

/// <summary>The options the audit commands share: where the log and its keys are, and the record filters.</summary>
internal sealed class AuditCommandOptions
{
    public Option<string> Directory { get; } = new("--dir")
    {
        Description = $"The audit log directory (default {AuditLogOptions.DefaultDirectory}).",
        DefaultValueFactory = _ => AuditLogOptions.DefaultDirectory,
    };

    public Option<string?> KeyFile { get; } = new("--key-file")
    {
        Description = "The data key file that decrypts records (default DIR/keys/data.key).",
    };

    public Option<string?> PublicKey { get; } = new("--public-key")
    {
        Description = "A trusted copy of the log's verifier key (default DIR/keys/signing.pub, which is only as trustworthy as the directory).",
    };

    public Option<string?> From { get; } = new("--from") { Description = "Only events at or after this time (ISO 8601; UTC unless an offset is given)." };

    public Option<string?> To { get; } = new("--to") { Description = "Only events before this time (ISO 8601)." };

    public Option<string?> PatientId { get; } = new("--patient-id") { Description = "Only records about this patient id (matched by keyed hash)." };

    public Option<string?> User { get; } = new("--user") { Description = "Only records with this active participant user id (or alternative id or name)." };

    public Option<string?> AeTitle { get; } = new("--ae") { Description = "Only records with an active participant using this AE title." };

    public Option<string?> Event { get; } = new("--event") { Description = "Only this event id: 110100-110114 or its name (e.g. DicomInstancesTransferred)." };

    public Option<string?> Outcome { get; } = new("--outcome") { Description = "Only this outcome: 0, 4, 8 or 12." };

    public Option<string?> SigningKey { get; } = new("--signing-key") { Description = "The signing key file (default DIR/keys/signing.key)." };

    public Option<string?> Operator { get; } = new("--operator") { Description = "Who runs the command (recorded as the requestor; default the login name)." };

    /// <summary>The options of a command that appends to the log: it opens the log as its writer.</summary>
    public void AddWriter(Command command)
    {
        command.Options.Add(SigningKey);
        command.Options.Add(Operator);
    }

    /// <summary>Opens the existing log as its writer (fails while the gateway holds it).</summary>
    public async Task<AuditLog> OpenWriterAsync(ParseResult result, CancellationToken cancellationToken)
    {
        string dir = Dir(result);
        var paths = new AuditLogPaths(dir);
        if (!System.IO.Directory.Exists(paths.Root) || !File.Exists(paths.PublicKey))
        {
            throw new CliInputException($"no audit log at {paths.Root}");
        }

        var options = new AuditLogOptions
        {
            Directory = dir,
            Origin = Verifier(result).Name,
            SigningKeyFile = result.GetValue(SigningKey),
            DataKeyFile = result.GetValue(KeyFile),
            CreateIfMissing = false,
        };
        return await AuditLog.OpenAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The person running the command, as the requestor of the record it appends.</summary>
    public AuditActiveParticipant Requestor(ParseResult result) =>
        new() { UserId = result.GetValue(Operator) ?? Environment.UserName, UserIsRequestor = true, RoleIdCodes = [AuditCodes.ApplicationLauncherRole] };

    /// <summary>The audit source of the records the tool appends.</summary>
    public static AuditSource Source => new() { SourceId = "gatewayctl@" + Environment.MachineName };

    public void AddLocation(Command command, bool keyFile, bool publicKey)
    {
        command.Options.Add(Directory);
        if (keyFile)
        {
            command.Options.Add(KeyFile);
        }

        if (publicKey)
        {
            command.Options.Add(PublicKey);
        }
    }

    public void AddFilters(Command command)
    {
        command.Options.Add(From);
        command.Options.Add(To);
        command.Options.Add(PatientId);
        command.Options.Add(User);
        command.Options.Add(AeTitle);
        command.Options.Add(Event);
        command.Options.Add(Outcome);
    }

    public string Dir(ParseResult result) => result.GetValue(Directory)!;

    public AuditDataKey DataKey(ParseResult result)
    {
        string path = result.GetValue(KeyFile) ?? new AuditLogPaths(Dir(result)).DataKey;
        return AuditDataKey.Load(path, create: false);
    }

    public NoteVerifier Verifier(ParseResult result)
    {
        string path = result.GetValue(PublicKey) ?? new AuditLogPaths(Dir(result)).PublicKey;
        if (!File.Exists(path))
        {
            throw new CliInputException($"no public key at {path}");
        }

        try
        {
            return NoteVerifier.Parse(File.ReadAllText(path));
        }
        catch (FormatException ex)
        {
            throw new CliInputException($"{path}: {ex.Message}");
        }
    }

    public AuditFilter Filter(ParseResult result)
    {
        AuditEventId? eventId = null;
        if (result.GetValue(Event) is { } eventText)
        {
            eventId = AuditCodes.TryParseEventId(eventText, out AuditEventId parsed) ? parsed : throw new CliInputException($"'{eventText}' is not an audit event id (110100-110114)");
        }

        AuditEventOutcome? outcome = null;
        if (result.GetValue(Outcome) is { } outcomeText)
        {
            outcome = outcomeText switch
            {
                "0" => AuditEventOutcome.Success,
                "4" => AuditEventOutcome.MinorFailure,
                "8" => AuditEventOutcome.SeriousFailure,
                "12" => AuditEventOutcome.MajorFailure,
                _ => throw new CliInputException($"'{outcomeText}' is not an outcome (0, 4, 8, 12)"),
            };
        }

        return new AuditFilter
        {
            From = Time(result.GetValue(From), "--from"),
            To = Time(result.GetValue(To), "--to"),
            PatientId = result.GetValue(PatientId),
            User = result.GetValue(User),
            AeTitle = result.GetValue(AeTitle),
            EventId = eventId,
            Outcome = outcome,
        };
    }

    private static DateTimeOffset? Time(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
            ? time
            : throw new CliInputException($"{option}: '{text}' is not an ISO 8601 time");
    }
}
