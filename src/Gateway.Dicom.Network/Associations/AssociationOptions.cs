using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Associations;

/// <summary>Timeouts, limits and implementation identity for associations, on either side.</summary>
public sealed record AssociationOptions
{
    /// <summary>The defaults.</summary>
    public static AssociationOptions Default { get; } = new();

    /// <summary>This implementation's class UID, sent in every A-ASSOCIATE.</summary>
    public string ImplementationClassUid { get; init; } = "2.25.242397305106713341129336807588797996706";

    /// <summary>This implementation's version name (at most 16 characters).</summary>
    public string ImplementationVersionName { get; init; } = "GATEWAY_0_1";

    /// <summary>Limits on received PDUs; <see cref="PduLimits.MaxDataPduLength"/> is also the Maximum Length we announce.</summary>
    public PduLimits Limits { get; init; } = PduLimits.Default;

    /// <summary>
    /// ARTIM (PS3.8 9.1.5): how long to wait for the A-ASSOCIATE-RQ after a connection opens, for the A-ASSOCIATE
    /// response after sending a request, and for the peer to close after a release or abort. Default 30 s.
    /// </summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a DIMSE response, or for the next fragment of a message. Default 60 s.</summary>
    public TimeSpan DimseTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an established association may stay silent before it is aborted. Default 5 minutes.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for a TCP connection (client). Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The largest data set held in memory for C-FIND identifiers and responses. Default 4 MiB.</summary>
    public int MaxIdentifierLength { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Responses (C-FIND matches, C-MOVE/C-GET progress) queued for a caller that reads more slowly than the peer
    /// answers; beyond this the association stops reading until the caller catches up. Default 64.
    /// </summary>
    /// <remarks>
    /// While a queue is full no other message of the association is read either: a caller must not wait, in the middle
    /// of reading one request's responses, for another request on the same association.
    /// </remarks>
    public int MaxQueuedResponses { get; init; } = 64;

    /// <summary>
    /// Whether a request's handler runs on the thread that receives the association (default false: it starts on the
    /// thread pool, and reading the next fragments overlaps with handling them).
    /// </summary>
    /// <remarks>
    /// True saves a thread hand-off per request and per data set fragment, as in DCMTK's single-threaded tools: a handler
    /// that only writes what it receives (<c>gatewayctl dicom scp</c>) then costs far fewer context switches. The
    /// handler's own work then delays the reading of its association, so a host whose handlers do heavy work per
    /// fragment (the gateway encrypts, indexes and audits) keeps the default. Either way a handler must never block
    /// synchronously on something its association delivers (see <see cref="IDimseRequestHandler"/>).
    /// </remarks>
    public bool RunHandlersOnReceiveThread { get; init; }
}
