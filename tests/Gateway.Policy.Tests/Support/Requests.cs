using System.Net;

namespace Gateway.Policy.Tests.Support;

/// <summary>Request builders for the <see cref="Policies.Site"/> policy.</summary>
internal static class Requests
{
    /// <summary>A Tuesday, 10:00 UTC.</summary>
    public static readonly DateTimeOffset Tuesday10 = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    public const string CT = "1.2.840.10008.5.1.4.1.1.2";
    public const string MR = "1.2.840.10008.5.1.4.1.1.4";
    public const string US = "1.2.840.10008.5.1.4.1.1.6.1";
    public const string BasicTextSR = "1.2.840.10008.5.1.4.1.1.88.11";
    public const string StudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";
    public const string StudyRootMove = "1.2.840.10008.5.1.4.1.2.2.2";
    public const string StudyRootGet = "1.2.840.10008.5.1.4.1.2.2.3";
    public const string Worklist = "1.2.840.10008.5.1.4.31";
    public const string Verification = "1.2.840.10008.1.1";

    public static PolicyRequest Dimse(PolicyOperation operation, string callingAE, string address, string calledAE = "GW_PACS", string? sopClass = null) => new()
    {
        Protocol = PolicyProtocol.Dimse,
        Operation = operation,
        CallingAE = callingAE,
        CalledAE = calledAE,
        RemoteAddress = IPAddress.Parse(address),
        SopClassUid = sopClass,
        At = Tuesday10,
    };

    public static PolicyRequest CtStore(string sopClass = CT) => Dimse(PolicyOperation.Store, "CT01", "10.1.0.11", sopClass: sopClass);

    public static PolicyRequest Web(PolicyOperation operation, string client, string? user = null, string address = "10.2.3.4", string service = "web", params string[] roles) => new()
    {
        Protocol = PolicyOperations.ProtocolOf(operation),
        Operation = operation,
        ClientId = client,
        UserId = user,
        Roles = roles.Length == 0 ? null : roles,
        RemoteAddress = IPAddress.Parse(address),
        Service = service,
        At = Tuesday10,
    };

    public static PolicyCertificate ViewerCertificate(string subject = "CN=viewer.example.org, O=Example", string issuer = "CN=Example CA", string san = "DNS:viewer.example.org") =>
        new(subject, issuer, [san], null);
}
