namespace Gateway.Host.Configuration;

/// <summary>The local audit log (section <c>Gateway:Audit</c>; forwarding is <see cref="SyslogForwardingOptions"/>).</summary>
public sealed class AuditOptions
{
    /// <summary>The largest <see cref="SegmentPreallocationBytes"/> accepted: 64 MiB, a segment's default size.</summary>
    public const int MaxSegmentPreallocationBytes = 64 << 20;

    /// <summary>
    /// Zeros written ahead of the appends in the audit log's last segment (<see cref="Gateway.Audit.AuditLogOptions.SegmentPreallocationBytes"/>):
    /// most fdatasyncs then flush records into space the file already has. Default 1 MiB; 0 turns it off. The space is
    /// also a reserve: when the volume runs full, records still go into it, and the log fails (the gateway stops, exit
    /// code 75) only once it is used up and a checkpoint or the next zeros cannot be written. 0 to
    /// <see cref="MaxSegmentPreallocationBytes"/>; the gateway's build checks it as well, because it opens the log with
    /// it before the options are validated.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, MaxSegmentPreallocationBytes)]
    public int SegmentPreallocationBytes { get; set; } = 1 << 20;
}
