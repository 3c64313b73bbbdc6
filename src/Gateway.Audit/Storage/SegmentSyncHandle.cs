using Microsoft.Win32.SafeHandles;

namespace Gateway.Audit.Storage;

/// <summary>
/// One committer's own read-only descriptor of the segment it syncs, reopened when the log rolls over to a new segment.
/// </summary>
/// <remarks>
/// fdatasync flushes the file, whichever descriptor it is called on; a descriptor of its own makes sure that a writeback
/// error is reported to this committer's sync even when another committer's sync reported it first.
/// </remarks>
internal sealed class SegmentSyncHandle(AuditLogPaths paths) : IDisposable
{
    private SafeFileHandle? _handle;
    private long _segment = -1;

    /// <summary>fdatasync of the segment whose first record is <paramref name="segmentFirstIndex"/>.</summary>
    /// <exception cref="IOException">The segment cannot be opened, or the flush failed.</exception>
    public void FlushData(long segmentFirstIndex)
    {
        if (_handle is null || _segment != segmentFirstIndex)
        {
            _handle?.Dispose();
            _handle = null;
            _handle = File.OpenHandle(paths.Segment(segmentFirstIndex), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _segment = segmentFirstIndex;
        }

        FileSync.FlushData(_handle);
    }

    public void Dispose() => _handle?.Dispose();
}
