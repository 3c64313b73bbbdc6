namespace Gateway.Dicom.Network.Dimse;

/// <summary>The category of a DIMSE status (PS3.7 Annex C).</summary>
public enum DimseStatusCategory
{
    /// <summary>The operation completed.</summary>
    Success,

    /// <summary>The operation completed with a warning.</summary>
    Warning,

    /// <summary>The operation failed.</summary>
    Failure,

    /// <summary>The operation was cancelled.</summary>
    Cancel,

    /// <summary>More responses follow.</summary>
    Pending,
}
