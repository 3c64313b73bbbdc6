using System.Net;

namespace Gateway.Dicom.Network;

/// <summary>Which per-address limit refused a connection.</summary>
public enum ConnectionLimit
{
    /// <summary>More new connections in one minute than <see cref="DicomServerOptions.MaxConnectionsPerMinutePerAddress"/>.</summary>
    PerMinute,

    /// <summary>More connections open at once than <see cref="DicomServerOptions.MaxConnectionsPerAddress"/>.</summary>
    Concurrent,
}

/// <summary>Connections from one address refused over a limit (reported once per address, limit and minute).</summary>
/// <param name="Address">The peer's address.</param>
/// <param name="Limit">The limit it went over.</param>
/// <param name="Max">That limit's value.</param>
/// <param name="RefusedInPreviousMinute">Connections from the address refused in the minute before this one.</param>
public sealed record ConnectionRefusal(IPAddress Address, ConnectionLimit Limit, int Max, int RefusedInPreviousMinute);
