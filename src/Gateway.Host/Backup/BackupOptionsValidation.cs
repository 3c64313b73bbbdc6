using Gateway.Backup;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Backup;

/// <summary>
/// Checks <c>Gateway:Backup</c> at start: a schedule needs a repository; the repository and the scratch directory are
/// neither the data directory nor inside it (nor it inside them); intervals and targets are positive and bounded; the
/// escrowed key directory and public key exist. Any failure stops the gateway with one line naming the setting.
/// </summary>
/// <remarks>
/// A repository inside the data directory is refused, not warned about: a backup that lives in the directory it backs up
/// is encrypted by the same ransomware and lost with the same volume, and its growth takes the free space below which the
/// archive refuses new instances. Paths are compared after <see cref="Path.GetFullPath(string, string)"/>, not after
/// resolving symbolic links: the check catches mistakes in the configuration, it is no boundary against its author.
/// </remarks>
public sealed class BackupOptionsValidation(IHostEnvironment environment) : IValidateOptions<GatewayOptions>
{
    private const string Prefix = "Gateway:Backup:";
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(365);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        BackupOptions backup = options.Backup;
        var errors = new List<string>();
        string root = environment.ContentRootPath;
        string data = Path.GetFullPath(options.DataDirectory, root);
        bool enabled = !string.IsNullOrWhiteSpace(backup.Repository);
        if (!enabled && (IsScheduled(backup.SnapshotInterval) || IsScheduled(backup.DrillInterval)))
        {
            errors.Add(Prefix + "SnapshotInterval and DrillInterval need " + Prefix + "Repository");
        }

        string? repository = enabled ? Path.GetFullPath(backup.Repository!, root) : null;
        if (repository is not null && Overlaps(repository, data))
        {
            errors.Add($"{Prefix}Repository {repository} is inside the data directory {data} (or contains it): put backups on another volume, out of the data directory");
        }

        if (backup.ScratchDirectory is { } scratchSetting)
        {
            string scratch = Path.GetFullPath(scratchSetting, root);
            if (Overlaps(scratch, data) || (repository is not null && Overlaps(scratch, repository)))
            {
                errors.Add($"{Prefix}ScratchDirectory {scratch} may not be inside the data directory or the repository (nor contain them)");
            }
        }

        CheckInterval(errors, "SnapshotInterval", backup.SnapshotInterval);
        CheckInterval(errors, "DrillInterval", backup.DrillInterval);
        Check(errors, backup.Retention >= TimeSpan.FromDays(1) && backup.Retention <= TimeSpan.FromDays(36500), "Retention", "from 1.00:00:00 to 36500.00:00:00");
        Check(errors, backup.DrillSampleStudies is >= 1 and <= 1000, "DrillSampleStudies", "from 1 to 1000");
        Check(errors, backup.RtoTarget > TimeSpan.Zero && backup.RtoTarget <= MaxInterval, "RtoTarget", "positive, at most 365 days");
        Check(errors, backup.RpoTarget > TimeSpan.Zero && backup.RpoTarget <= MaxInterval, "RpoTarget", "positive, at most 365 days");
        if (backup.KeyDirectory is { } keys && !Directory.Exists(Path.GetFullPath(keys, root)))
        {
            errors.Add($"{Prefix}KeyDirectory {Path.GetFullPath(keys, root)} does not exist");
        }

        if (backup.PublicKey is { } publicKey)
        {
            try
            {
                _ = BackupSigningKey.ReadPublic(Path.GetFullPath(publicKey, root));
            }
            catch (Exception ex) when (ex is BackupException or IOException or UnauthorizedAccessException)
            {
                errors.Add($"{Prefix}PublicKey: {ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>True when <paramref name="interval"/> asks for a schedule (set and not zero).</summary>
    internal static bool IsScheduled(TimeSpan? interval) => interval is { } i && i != TimeSpan.Zero;

    // True when one of the two full paths is the other or inside it.
    private static bool Overlaps(string a, string b)
    {
        string x = Path.TrimEndingDirectorySeparator(a) + Path.DirectorySeparatorChar;
        string y = Path.TrimEndingDirectorySeparator(b) + Path.DirectorySeparatorChar;
        return x.StartsWith(y, StringComparison.Ordinal) || y.StartsWith(x, StringComparison.Ordinal);
    }

    private static void CheckInterval(List<string> errors, string setting, TimeSpan? interval)
    {
        if (interval is { } i && i != TimeSpan.Zero)
        {
            Check(errors, i >= TimeSpan.FromSeconds(1) && i <= MaxInterval, setting, "from 00:00:01 to 365.00:00:00 (zero or none: no schedule)");
        }
    }

    private static void Check(List<string> errors, bool valid, string setting, string range)
    {
        if (!valid)
        {
            errors.Add($"{Prefix}{setting} must be {range}");
        }
    }
}
