using Gateway.Dicom;

namespace Gateway.Archive;

/// <summary>An instance to archive: what the C-STORE request said about it, and where it must be forwarded.</summary>
public sealed record ArchiveStoreRequest
{
    /// <summary>Affected SOP Class UID.</summary>
    public required string SopClassUid { get; init; }

    /// <summary>Affected SOP Instance UID: the instance's identity in the archive.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>The transfer syntax the data set is encoded in (deflated for the deflated syntax); it is stored as received.</summary>
    public required DicomTransferSyntax TransferSyntax { get; init; }

    /// <summary>The AE title of the sender (recorded, and written as Source Application Entity Title in the stored file).</summary>
    public required string CallingAE { get; init; }

    /// <summary>The destinations (AE titles or destination names, 1-16 characters) that get one outbox item each, in the same transaction.</summary>
    public IReadOnlyList<string> Destinations { get; init; } = [];

    /// <summary>
    /// When set, the data set's Study Instance UID must be this one (a STOW-RS request to <c>/studies/{uid}</c>), or the
    /// instance is refused with <see cref="ArchiveRejectReason.StudyMismatch"/> before it is committed.
    /// </summary>
    public string? ExpectedStudyInstanceUid { get; init; }
}
