using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Services;

/// <summary>Thrown by a service to answer a request with a failure status (and an error comment for the peer).</summary>
public sealed class DimseStatusException(DimseStatus status, string comment) : Exception(comment)
{
    /// <summary>The status to send.</summary>
    public DimseStatus Status { get; } = status;
}
