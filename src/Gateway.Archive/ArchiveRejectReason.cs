namespace Gateway.Archive;

/// <summary>Why the archive refused an instance it could not index.</summary>
public enum ArchiveRejectReason
{
    /// <summary>The request itself is unusable: an invalid UID, transfer syntax or destination AE title.</summary>
    InvalidRequest,

    /// <summary>The data set's header does not parse (or exceeds the reader's limits) before the attributes the index needs.</summary>
    MalformedDataSet,

    /// <summary>The data set lacks the Study or Series Instance UID, or holds an invalid one.</summary>
    MissingIdentifiers,

    /// <summary>The data set's SOP Instance UID or SOP Class UID differs from the request's (PS3.4 B.2.3: A900).</summary>
    IdentifierMismatch,

    /// <summary>The data set's Study Instance UID is not the one the request required (<see cref="ArchiveStoreRequest.ExpectedStudyInstanceUid"/>).</summary>
    StudyMismatch,
}
