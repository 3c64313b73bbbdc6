using Gateway.Dicom;

namespace Gateway.Archive;

/// <summary>Where the archive lives, where its keys come from, and its limits.</summary>
/// <remarks>
/// Layout under <see cref="DataDirectory"/>: <c>archive/index.db</c> (SQLite, WAL), <c>archive/objects/xx/&lt;id&gt;.obj</c>
/// (encrypted objects), <c>archive/tmp/</c> (objects being written), <c>archive/.lock</c>; keys in <see cref="KeyDirectory"/>
/// (default <c>keys/</c>, 0700): <c>kek-N.key</c> and <c>index.key</c> (0600), unless given as secrets.
/// </remarks>
public sealed record ArchiveOptions
{
    /// <summary>
    /// The environment variable the host reads <see cref="KekSecret"/> from: <c>VERSION:BASE64[,VERSION:BASE64...]</c>
    /// (every key-encryption key still in use; the highest version is current), or a bare <c>BASE64</c> for version 1.
    /// Each key is 32 random bytes, base64 (for example <c>head -c32 /dev/urandom | base64</c>).
    /// </summary>
    public const string KekEnvironmentVariable = "GATEWAY_ARCHIVE_KEK";

    /// <summary>The environment variable the host reads <see cref="IndexKeySecret"/> from: 32 random bytes, base64.</summary>
    public const string IndexKeyEnvironmentVariable = "GATEWAY_ARCHIVE_INDEX_KEY";

    /// <summary>The gateway's data directory; the archive lives in its <c>archive/</c> subdirectory.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Where key files live; default <c>DataDirectory/keys</c>. Production may keep it on another volume.</summary>
    public string? KeyDirectory { get; init; }

    /// <summary>
    /// The key-encryption keys as a secret (see <see cref="KekEnvironmentVariable"/>) instead of <c>kek-N.key</c> files.
    /// With a secret, rotation is: add a higher version to the secret, restart, run <c>gatewayctl keys rotate</c> (which
    /// re-wraps every data key under it), then drop the old version once <c>gatewayctl keys status</c> shows it unused.
    /// </summary>
    public string? KekSecret { get; init; }

    /// <summary>The index key (HMAC of identifiers and content) as a secret instead of <c>index.key</c>. It never changes.</summary>
    public string? IndexKeySecret { get; init; }

    /// <summary>Create directories, key files and the index when missing. Default true; false opens only an existing archive.</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>Refuse new instances when the archive volume has less free space than this. Default 1 GiB.</summary>
    public long MinimumFreeBytes { get; init; } = 1L << 30;

    /// <summary>Refuse new instances when the outbox holds this many undelivered (pending or in-flight) items. Default 100,000.</summary>
    public long MaxOutboxDepth { get; init; } = 100_000;

    /// <summary>An outbox item whose delivery fails after it has waited this long moves to the dead-letter state. Default 3 days.</summary>
    public TimeSpan DeadLetterAfter { get; init; } = TimeSpan.FromDays(3);

    /// <summary>How long an instance's object stays after its last outbox item was delivered. Default 7 days.</summary>
    public TimeSpan ObjectRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long the index and delivered outbox rows of a purged instance stay as history. Default 365 days.</summary>
    public TimeSpan HistoryRetention { get; init; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Also purge instances that were stored with no destination, <see cref="ObjectRetention"/> after they were received.
    /// Default false: they are kept until removed by other means.
    /// </summary>
    public bool PurgeUnforwarded { get; init; }

    /// <summary>Plaintext bytes per encrypted chunk (4 KiB to 4 MiB). Default 64 KiB.</summary>
    public int ChunkSize { get; init; } = Crypto.ObjectFormat.DefaultChunkSize;

    /// <summary>The object format new objects are written in (2; 1 only to test that old objects stay readable).</summary>
    internal byte ObjectFormatVersion { get; init; } = Crypto.ObjectFormat.Version;

    /// <summary>Limits for parsing the header of incoming data sets.</summary>
    public DicomReaderOptions ReaderOptions { get; init; } = DicomReaderOptions.Default;

    /// <summary>Options for <paramref name="dataDirectory"/> with the secrets of <see cref="KekEnvironmentVariable"/> and <see cref="IndexKeyEnvironmentVariable"/> when set.</summary>
    public static ArchiveOptions FromEnvironment(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        KekSecret = NullIfEmpty(Environment.GetEnvironmentVariable(KekEnvironmentVariable)),
        IndexKeySecret = NullIfEmpty(Environment.GetEnvironmentVariable(IndexKeyEnvironmentVariable)),
    };

    internal string ArchiveDirectory => Path.Combine(Path.GetFullPath(DataDirectory), "archive");

    internal string ResolvedKeyDirectory => Path.GetFullPath(KeyDirectory ?? Path.Combine(DataDirectory, "keys"));

    internal string IndexPath => Path.Combine(ArchiveDirectory, "index.db");

    internal string ObjectsDirectory => Path.Combine(ArchiveDirectory, "objects");

    internal string TempDirectory => Path.Combine(ArchiveDirectory, "tmp");

    internal string RewrapJournalDirectory => Path.Combine(ArchiveDirectory, Keys.RewrapJournal.DirectoryName);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(DataDirectory);
        if (ChunkSize is < Crypto.ObjectFormat.MinChunkSize or > Crypto.ObjectFormat.MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "the chunk size must be 4 KiB to 4 MiB");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MinimumFreeBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxOutboxDepth);
        ArgumentOutOfRangeException.ThrowIfLessThan(DeadLetterAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ObjectRetention, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(HistoryRetention, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(ReaderOptions);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
