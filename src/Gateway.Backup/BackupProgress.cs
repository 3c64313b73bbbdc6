using Gateway.Archive.Verification;

namespace Gateway.Backup;

/// <summary>How far a long backup operation is.</summary>
/// <param name="Phase">What it does now (for example <c>copying</c>, <c>verifying objects</c>).</param>
/// <param name="BytesDone">Bytes processed in this phase.</param>
/// <param name="BytesTotal">Bytes this phase will process.</param>
public readonly record struct BackupProgress(string Phase, long BytesDone, long BytesTotal)
{
    /// <summary>
    /// Passes the archive verifier's progress on to <paramref name="target"/> as phase <paramref name="phase"/>, on the
    /// reporting thread.
    /// </summary>
    /// <remarks>
    /// Not <see cref="Progress{T}"/>: that posts each report to the thread pool, so reports arrive out of order and can
    /// arrive after the operation has returned and its output has been closed (a crash of the test host, seen in CI).
    /// </remarks>
    public static IProgress<ArchiveVerifyProgress>? ForArchiveVerify(IProgress<BackupProgress>? target, string phase) =>
        target is null ? null : new ArchiveVerifyAdapter(target, phase);

    private sealed class ArchiveVerifyAdapter(IProgress<BackupProgress> target, string phase) : IProgress<ArchiveVerifyProgress>
    {
        public void Report(ArchiveVerifyProgress value) => target.Report(new BackupProgress(phase, value.BytesDone, value.BytesTotal));
    }
}
