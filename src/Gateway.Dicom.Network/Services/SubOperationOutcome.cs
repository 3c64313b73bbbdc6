namespace Gateway.Dicom.Network.Services;

/// <summary>How one C-STORE sub-operation of a C-MOVE or C-GET ended.</summary>
internal enum SubOperationOutcome
{
    /// <summary>Stored (status Success).</summary>
    Completed,

    /// <summary>Stored with a warning status.</summary>
    Warning,

    /// <summary>Not stored: a failure status, no presentation context for it, or its file unreadable.</summary>
    Failed,

    /// <summary>Not stored, and the association it was to go on is gone: the remaining ones fail too.</summary>
    AssociationLost,
}
