using Gateway.Archive.Index;
using Gateway.Archive.Keys;
using Gateway.Archive.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Archive;

/// <summary>
/// Operator access to an existing archive that may be open in a running gateway at the same time: the outbox (list,
/// counts, retry) and the key status. It takes no archive lock, never reconciles, and never reads objects; SQLite's own
/// locking orders its writes with the gateway's.
/// </summary>
/// <remarks>
/// Error texts of outbox items are decrypted when the archive's keys are at hand (<see cref="KeysAvailable"/>);
/// without them, items are still listed and retried.
/// </remarks>
public sealed partial class ArchiveAdmin : IDisposable
{
    private readonly ArchiveDatabase _db;
    private readonly ArchiveKeys? _keys;
    private readonly ArchiveOptions _options;

    private ArchiveAdmin(ArchiveOptions options, ArchiveDatabase db, ArchiveKeys? keys, TimeProvider time, ILogger logger)
    {
        _options = options;
        _db = db;
        _keys = keys;
        Outbox = new ArchiveOutbox(db, keys?.Attributes, options, time, logger);
    }

    /// <summary>The outbox.</summary>
    public ArchiveOutbox Outbox { get; }

    /// <summary>True when the keys were loaded (error texts can be decrypted).</summary>
    public bool KeysAvailable => _keys is not null;

    /// <summary>Opens the index of an existing archive.</summary>
    /// <exception cref="ArchiveIndexException">There is no archive index under the data directory.</exception>
    public static ArchiveAdmin Open(ArchiveOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        ArchiveDatabase db = ArchiveDatabase.Open(options.IndexPath, create: false);
        ArchiveKeys? keys = null;
        try
        {
            keys = db.WithWriter(writer => ArchiveKeys.Load(options, writer, fresh: false, logger));
        }
        catch (Exception ex) when (ex is ArchiveKeyException or ArchiveIntegrityException or IOException or UnauthorizedAccessException)
        {
            keys = null;
        }

        return new ArchiveAdmin(options, db, keys, timeProvider ?? TimeProvider.System, logger);
    }

    /// <summary>The keys: source, versions with their use, and the index key.</summary>
    public ArchiveKeyStatus GetKeyStatus()
    {
        using SqliteConnection reader = _db.OpenReader();
        return KeyStatusReader.Read(_options, reader);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _keys?.Dispose();
        _db.Dispose();
    }
}
