namespace Gateway.Dicom.IO;

/// <summary>What <see cref="DicomStreamReader"/> stands on after a read.</summary>
public enum DicomTokenType
{
    /// <summary>Nothing yet, or the end of the data set.</summary>
    None,

    /// <summary>A data element with a defined-length value.</summary>
    Element,

    /// <summary>The start of a sequence (SQ, or UN/implicit with undefined length holding items).</summary>
    SequenceStart,

    /// <summary>The start of an item of a sequence.</summary>
    ItemStart,

    /// <summary>The end of an item (its delimiter, or its defined length reached).</summary>
    ItemEnd,

    /// <summary>The end of a sequence (its delimiter, or its defined length reached).</summary>
    SequenceEnd,

    /// <summary>The start of encapsulated pixel data: (7FE0,0010) with undefined length (PS3.5 A.4).</summary>
    FragmentsStart,

    /// <summary>One fragment of encapsulated pixel data; the first is the Basic Offset Table.</summary>
    Fragment,

    /// <summary>The end of encapsulated pixel data.</summary>
    FragmentsEnd,
}
