using System.ComponentModel.DataAnnotations;

namespace Gateway.Host.Configuration;

/// <summary>
/// Scheduled retention of the local archive (section <c>Gateway:Retention</c>): how long an instance stays after every
/// destination received it, and how often retention runs. An instance not yet delivered to every destination (pending,
/// in flight or dead-lettered) is never purged; each purge is written to the audit log first (DICOM Study Deleted).
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gateway:Retention";

    /// <summary>False: nothing is ever purged by the gateway.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long an instance stays in the local archive after its last destination received it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan KeepForwardedFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long the index row of a purged instance (no data key, no object) stays as history.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "36500.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan KeepHistoryFor { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Also purge instances that had no destination at all, <see cref="KeepForwardedFor"/> after they arrived.</summary>
    public bool PurgeUnforwarded { get; set; }

    /// <summary>How often retention runs (also once shortly after start).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
