using System.CommandLine;
using System.Globalization;
using Gateway.Audit;

namespace Gateway.Cli.Audit;

/// <summary>
/// <c>gatewayctl audit rotate-key</c>: a new record-encryption key for every record appended from now on; older records
/// keep theirs (each names its key id), so the key file keeps every key. The rotation is itself audited.
/// </summary>
/// <remarks>
/// The command opens the log as its writer, so it runs while the gateway is stopped (or from the admin API later); the
/// gateway takes the new key when it next opens the log.
/// </remarks>
internal static class AuditRotateKeyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var options = new AuditCommandOptions();
        var command = new Command("rotate-key", "Add a new data key that encrypts new records; older records stay readable with the older keys, which the key file keeps.");
        options.AddLocation(command, keyFile: true, publicKey: false);
        options.AddWriter(command);
        command.SetAction((result, ct) => AuditCommands.RunGuardedAsync(stderr, async () =>
        {
            (uint KeyId, long RecordIndex) rotated;
            int keys;
            AuditLog log = await options.OpenWriterAsync(result, ct).ConfigureAwait(false);
            await using (log.ConfigureAwait(false))
            {
                rotated = await log.RotateDataKeyAsync(options.Requestor(result), AuditCommandOptions.Source, ct).ConfigureAwait(false);
                keys = log.DataKeyIds.Count;
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"new records are encrypted with data key {rotated.KeyId:x8}; the key file holds {keys} key(s), older records keep theirs; this rotation is audit record {rotated.RecordIndex}")).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }
}
