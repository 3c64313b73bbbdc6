namespace Gateway.Dicom.Network.Associations;

/// <summary>The states of the DICOM Upper Layer protocol machine (PS3.8 9.2, Table 9-1).</summary>
public enum AssociationState
{
    /// <summary>Sta1: idle (no association, no transport).</summary>
    Sta1Idle = 1,

    /// <summary>Sta2: transport connection open, awaiting A-ASSOCIATE-RQ PDU (acceptor; ARTIM running).</summary>
    Sta2AwaitingAssociateRequest = 2,

    /// <summary>Sta3: awaiting the local A-ASSOCIATE response primitive (acceptor deciding).</summary>
    Sta3AwaitingLocalAssociateResponse = 3,

    /// <summary>Sta4: awaiting transport connection opening to complete (requester).</summary>
    Sta4AwaitingTransportOpen = 4,

    /// <summary>Sta5: awaiting A-ASSOCIATE-AC or -RJ PDU (requester).</summary>
    Sta5AwaitingAssociateResponse = 5,

    /// <summary>Sta6: association established and ready for data transfer.</summary>
    Sta6Established = 6,

    /// <summary>Sta7: awaiting A-RELEASE-RP PDU (release requester).</summary>
    Sta7AwaitingReleaseResponse = 7,

    /// <summary>Sta8: awaiting the local A-RELEASE response primitive (release acceptor).</summary>
    Sta8AwaitingLocalReleaseResponse = 8,

    /// <summary>Sta9: release collision, requester side, awaiting A-RELEASE response primitive.</summary>
    Sta9ReleaseCollisionRequester = 9,

    /// <summary>Sta10: release collision, acceptor side, awaiting A-RELEASE-RP PDU.</summary>
    Sta10ReleaseCollisionAcceptor = 10,

    /// <summary>Sta11: release collision, requester side, awaiting A-RELEASE-RP PDU.</summary>
    Sta11ReleaseCollisionRequesterAwaitingResponse = 11,

    /// <summary>Sta12: release collision, acceptor side, awaiting A-RELEASE response primitive.</summary>
    Sta12ReleaseCollisionAcceptorAwaitingResponse = 12,

    /// <summary>Sta13: awaiting transport connection close (ARTIM running).</summary>
    Sta13AwaitingTransportClose = 13,
}
