using System.Net;

namespace Gateway.Policy;

/// <summary>
/// The facts of one request, as the network or HTTP layer knows them. Which facts matter depends on the protocol:
/// DIMSE uses the AE titles, address and certificate; DICOMweb and admin use the service, client, user and roles
/// (and the client's address and certificate when its binding names them).
/// </summary>
/// <remarks>
/// A value type with references to strings the caller already holds: building one does not allocate. Pass it with
/// <c>in</c>. For C-MOVE and C-GET the request is checked once with the information model as
/// <see cref="SopClassUid"/> (the C-MOVE/C-GET request) and once per retrieved instance with its storage SOP class
/// (the C-STORE sub-operation).
/// </remarks>
public readonly record struct PolicyRequest
{
    /// <summary>The protocol the request arrived on; must agree with <see cref="Operation"/>.</summary>
    public PolicyProtocol Protocol { get; init; }

    /// <summary>The operation asked for.</summary>
    public PolicyOperation Operation { get; init; }

    /// <summary>DIMSE: the calling AE title (leading and trailing spaces are not significant, PS3.5 6.2).</summary>
    public string? CallingAE { get; init; }

    /// <summary>DIMSE: the called AE title, which names the service (unless <see cref="Service"/> is set).</summary>
    public string? CalledAE { get; init; }

    /// <summary>The service name; for DICOMweb and admin requests, the route's service; for DIMSE, overrides <see cref="CalledAE"/>.</summary>
    public string? Service { get; init; }

    /// <summary>The remote address of the connection (IPv4, IPv6, or IPv4-mapped IPv6).</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>The TLS client certificate facts, or null on a plain connection.</summary>
    public PolicyCertificate? Certificate { get; init; }

    /// <summary>DICOMweb/admin: the OAuth2 client id of the calling application.</summary>
    public string? ClientId { get; init; }

    /// <summary>DICOMweb/admin: the user the client acts for, or null for a client acting on its own behalf.</summary>
    public string? UserId { get; init; }

    /// <summary>DICOMweb/admin: role names carried by the user's token; only roles the policy marks <c>token-claim: true</c> count.</summary>
    public IReadOnlyList<string>? Roles { get; init; }

    /// <summary>
    /// The SOP class: the instance's storage SOP class for store, stow and retrieved instances; the information model for
    /// find, move, get and worklist requests; Verification (or null) for echo.
    /// </summary>
    public string? SopClassUid { get; init; }

    /// <summary>C-MOVE: the move destination AE title.</summary>
    public string? MoveDestination { get; init; }

    /// <summary>When the request arrived (compared with the rules' time windows in the policy's time zone).</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The object's size in bytes when known (C-STORE, STOW-RS), else null.</summary>
    public long? ObjectSize { get; init; }
}
