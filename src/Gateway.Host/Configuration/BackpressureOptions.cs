using System.ComponentModel.DataAnnotations;

namespace Gateway.Host.Configuration;

/// <summary>
/// When new C-STOREs are refused with Out of Resources (A700) instead of risking what is stored (section
/// <c>Gateway:Backpressure</c>). The defaults are the archive's (<see cref="Gateway.Archive.ArchiveOptions"/>).
/// </summary>
public sealed class BackpressureOptions
{
    /// <summary>Refuse new instances when the data directory's volume has less free space than this many bytes.</summary>
    /// <remarks>
    /// The headroom keeps the index, outbox and audit log writable after the last accepted instance; 0 leaves only the
    /// volume itself (ENOSPC) to refuse.
    /// </remarks>
    [Range(0, long.MaxValue)]
    public long MinimumFreeBytes { get; set; } = 1L << 30;

    /// <summary>Refuse new instances when the outbox holds this many undelivered items.</summary>
    [Range(1, long.MaxValue)]
    public long MaxOutboxDepth { get; set; } = 100_000;
}
