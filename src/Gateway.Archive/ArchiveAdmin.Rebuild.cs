using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Rebuild;
using Gateway.Archive.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Archive;

public sealed partial class ArchiveAdmin
{
    /// <summary>The most failed objects an <see cref="IndexRebuildReport"/> lists (all are counted).</summary>
    public const int MaxListedRebuildFailures = 10_000;

    /// <summary>
    /// Rebuilds the archive index from the object files alone, for an index that was lost or damaged: every object is read
    /// to its end (each chunk's GCM tag checked), its data key unwrapped from its own header (format 2) or, when that key
    /// version was retired, from the rewrap journal, and its File Meta Information and data set header indexed through the
    /// same code as a store. The earliest object (file modification time) of a SOP Instance UID is the indexed instance;
    /// later ones with other bytes become conflict copies. Objects that fail are listed, never indexed.
    /// </summary>
    /// <remarks>
    /// Needs the archive to itself (the gateway stopped) and the archive's keys: the key-encryption keys and the index key
    /// (a rebuilt index hashes identifiers with the same key). The new index is written to <c>archive/index.db.rebuild</c>
    /// and renamed into place only when complete and durable; an existing index is replaced only with
    /// <see cref="IndexRebuildOptions.Force"/>. The outbox starts empty (delivery state is unknown) unless
    /// <see cref="IndexRebuildOptions.RequeueDestinations"/> names destinations. Format 1 objects carry no key: they are
    /// rebuilt only when a rewrap journal holds theirs.
    /// </remarks>
    /// <param name="options">Where the archive and its keys are.</param>
    /// <param name="rebuild">Force, requeue, and a hook before the new index is put in place.</param>
    /// <param name="progress">Receives progress after each object (optional).</param>
    /// <param name="timeProvider">The clock (optional).</param>
    /// <param name="logger">The operational log (optional; object names and counts only).</param>
    /// <param name="cancellationToken">Stops the rebuild; nothing is replaced then.</param>
    /// <exception cref="ArchiveInUseException">The archive is open elsewhere.</exception>
    /// <exception cref="ArchiveIndexException">An index exists and <see cref="IndexRebuildOptions.Force"/> is not set, or there are no objects.</exception>
    /// <exception cref="ArchiveKeyException">A key is not at hand.</exception>
    public static Task<IndexRebuildReport> RebuildIndexAsync(
        ArchiveOptions options,
        IndexRebuildOptions rebuild,
        IProgress<ArchiveVerifyProgress>? progress,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rebuild);
        options.Validate();
        var rebuilder = new IndexRebuilder(options, rebuild, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance);
        return rebuilder.RunAsync(progress, cancellationToken);
    }
}
