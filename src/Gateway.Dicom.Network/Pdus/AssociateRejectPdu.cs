namespace Gateway.Dicom.Network.Pdus;

/// <summary>A-ASSOCIATE-RJ (PS3.8 9.3.4).</summary>
/// <param name="Result">Permanent or transient.</param>
/// <param name="Source">Who rejected.</param>
/// <param name="Reason">The reason/diagnostic code, whose meaning depends on <paramref name="Source"/> (PS3.8 Table 9-21).</param>
public sealed record AssociateRejectPdu(RejectResult Result, RejectSource Source, byte Reason) : Pdu
{
    /// <inheritdoc />
    public override PduType Type => PduType.AssociateReject;

    /// <summary>Service-user, permanent: no reason given.</summary>
    public static AssociateRejectPdu NoReasonGiven() => new(RejectResult.Permanent, RejectSource.ServiceUser, 1);

    /// <summary>Service-user, permanent: application context name not supported.</summary>
    public static AssociateRejectPdu ApplicationContextNotSupported() => new(RejectResult.Permanent, RejectSource.ServiceUser, 2);

    /// <summary>Service-user, permanent: calling AE title not recognized.</summary>
    public static AssociateRejectPdu CallingAETitleNotRecognized() => new(RejectResult.Permanent, RejectSource.ServiceUser, 3);

    /// <summary>Service-user, permanent: called AE title not recognized.</summary>
    public static AssociateRejectPdu CalledAETitleNotRecognized() => new(RejectResult.Permanent, RejectSource.ServiceUser, 7);

    /// <summary>Service-provider (ACSE), permanent: protocol version not supported.</summary>
    public static AssociateRejectPdu ProtocolVersionNotSupported() => new(RejectResult.Permanent, RejectSource.ServiceProviderAcse, 2);

    /// <summary>Service-provider (presentation), transient: temporary congestion.</summary>
    public static AssociateRejectPdu TemporaryCongestion() => new(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 1);

    /// <summary>Service-provider (presentation), transient: local limit exceeded (for example too many associations).</summary>
    public static AssociateRejectPdu LocalLimitExceeded() => new(RejectResult.Transient, RejectSource.ServiceProviderPresentation, 2);

    /// <summary>A readable description of the result, source and reason.</summary>
    public string Describe() => $"{Result} rejection by {Source}: " + (Source, Reason) switch
    {
        (RejectSource.ServiceUser, 1) => "no reason given",
        (RejectSource.ServiceUser, 2) => "application context name not supported",
        (RejectSource.ServiceUser, 3) => "calling AE title not recognized",
        (RejectSource.ServiceUser, 7) => "called AE title not recognized",
        (RejectSource.ServiceProviderAcse, 1) => "no reason given",
        (RejectSource.ServiceProviderAcse, 2) => "protocol version not supported",
        (RejectSource.ServiceProviderPresentation, 1) => "temporary congestion",
        (RejectSource.ServiceProviderPresentation, 2) => "local limit exceeded",
        _ => $"reason {Reason}",
    };
}
