namespace Gateway.Dicom;

/// <summary>Why a DICOM stream could not be read.</summary>
public enum DicomFormatError
{
    /// <summary>The stream ended in the middle of a header, value, item or sequence.</summary>
    Truncated,

    /// <summary>A declared length goes past the end of the stream.</summary>
    LengthPastEnd,

    /// <summary>A declared length goes past the end of the item or sequence that contains it.</summary>
    LengthExceedsParent,

    /// <summary>An undefined length (FFFFFFFFH) on an element that may not have one.</summary>
    UndefinedLengthNotAllowed,

    /// <summary>An odd value length (PS3.5 7.1.1: lengths are even).</summary>
    OddLength,

    /// <summary>An explicit VR that is not two upper-case letters.</summary>
    InvalidVR,

    /// <summary>An item or sequence delimiter where none may stand.</summary>
    UnexpectedDelimiter,

    /// <summary>Something other than an item or delimiter inside a sequence or pixel data fragments.</summary>
    UnexpectedTagInSequence,

    /// <summary>Sequences nested deeper than the configured limit.</summary>
    DepthLimitExceeded,

    /// <summary>More items or fragments than the configured limit.</summary>
    ItemLimitExceeded,

    /// <summary>More data elements than the configured limit.</summary>
    ElementLimitExceeded,

    /// <summary>A value longer than the configured limit for values held in memory.</summary>
    ValueTooLong,

    /// <summary>The input is neither a Part 10 file nor a recognisable data set.</summary>
    NotDicom,

    /// <summary>The File Meta Information is malformed or lacks the Transfer Syntax UID.</summary>
    InvalidFileMetaInformation,

    /// <summary>The transfer syntax cannot be read or written here.</summary>
    UnsupportedTransferSyntax,

    /// <summary>Deflated data could not be inflated.</summary>
    InvalidDeflateStream,

    /// <summary>A value is malformed for its VR.</summary>
    InvalidValue,
}
