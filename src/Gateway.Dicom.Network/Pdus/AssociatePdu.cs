namespace Gateway.Dicom.Network.Pdus;

/// <summary>The fields that A-ASSOCIATE-RQ and -AC share (PS3.8 9.3.2, 9.3.3).</summary>
public abstract record AssociatePdu : Pdu
{
    /// <summary>The application context name of DICOM (PS3.7 A.2.1).</summary>
    public const string DicomApplicationContext = "1.2.840.10008.3.1.1.1";

    /// <summary>Protocol version; bit 0 set means version 1 (the only one).</summary>
    public ushort ProtocolVersion { get; init; } = 1;

    /// <summary>Called AE title (the acceptor), 1-16 characters, trailing spaces removed.</summary>
    public required string CalledAE { get; init; }

    /// <summary>Calling AE title (the requester), 1-16 characters, trailing spaces removed.</summary>
    public required string CallingAE { get; init; }

    /// <summary>Application context name.</summary>
    public string ApplicationContext { get; init; } = DicomApplicationContext;

    /// <summary>User information.</summary>
    public required UserInformation UserInformation { get; init; }
}
