namespace Gateway.Dicom;

/// <summary>What a registered UID identifies (PS3.6 Annex A, "UID Type").</summary>
public enum DicomUidType
{
    /// <summary>Not in the registry.</summary>
    Unknown,

    /// <summary>A transfer syntax.</summary>
    TransferSyntax,

    /// <summary>A SOP class (storage, query/retrieve, worklist, verification ...).</summary>
    SopClass,

    /// <summary>A meta SOP class.</summary>
    MetaSopClass,

    /// <summary>A well-known SOP instance or frame of reference.</summary>
    WellKnownInstance,

    /// <summary>An application context name.</summary>
    ApplicationContext,

    /// <summary>A coding scheme, mapping resource, or other registered identifier.</summary>
    Other,
}
