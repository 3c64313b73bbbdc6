using System.Net;

namespace Gateway.Policy;

/// <summary>The facts of an A-ASSOCIATE-RQ that policy decides on: who calls, whom, from where, with which certificate, when.</summary>
public readonly record struct PolicyAssociationRequest
{
    /// <summary>The calling AE title.</summary>
    public string? CallingAE { get; init; }

    /// <summary>The called AE title (names the service).</summary>
    public string? CalledAE { get; init; }

    /// <summary>The remote address.</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>The TLS client certificate facts, or null on a plain connection.</summary>
    public PolicyCertificate? Certificate { get; init; }

    /// <summary>When the request arrived.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The verified user of the association's user identity (PS3.7 D.3.3.7), or null.</summary>
    public string? UserId { get; init; }

    /// <summary>The verified client of the association's user identity, or null.</summary>
    public string? ClientId { get; init; }

    /// <summary>Roles the identity's token carried.</summary>
    public IReadOnlyList<string>? Roles { get; init; }
}
