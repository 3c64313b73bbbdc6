namespace Gateway.DicomWeb.Stow;

/// <summary>Failure Reason (0008,1197) values for an instance a STOW-RS origin did not store (PS3.18 10.5.3, PS3.4 B.2.3 and GG.4).</summary>
public enum StowFailureReason : ushort
{
    /// <summary>0110H Processing failure: a general failure in processing the instance.</summary>
    ProcessingFailure = 0x0110,

    /// <summary>0119H Class/Instance conflict: the SOP Class does not match the one registered for the instance.</summary>
    ClassInstanceConflict = 0x0119,

    /// <summary>0122H Referenced SOP Class not supported.</summary>
    SopClassNotSupported = 0x0122,

    /// <summary>0124H Refused, not authorised: the policy does not allow this caller to store this instance.</summary>
    NotAuthorized = 0x0124,

    /// <summary>A700H Refused, out of resources: the archive or outbox is full.</summary>
    OutOfResources = 0xA700,

    /// <summary>A900H Error, data set does not match SOP Class.</summary>
    DatasetDoesNotMatchSopClass = 0xA900,

    /// <summary>C000H Error, cannot understand: the part is not a readable DICOM instance.</summary>
    CannotUnderstand = 0xC000,

    /// <summary>C122H Referenced Transfer Syntax not supported.</summary>
    TransferSyntaxNotSupported = 0xC122,
}
