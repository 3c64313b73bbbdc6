namespace Gateway.DicomWeb;

/// <summary>What <see cref="DicomDatasetWalker"/> stands on.</summary>
internal enum DicomWalkEvent
{
    /// <summary>An element or encapsulated pixel data: <see cref="DicomDatasetWalker.Item"/>.</summary>
    Leaf,

    /// <summary>The start of a sequence: <see cref="DicomDatasetWalker.Item"/> is the <see cref="Gateway.Dicom.Model.DicomSequence"/>.</summary>
    SequenceStart,

    /// <summary>The start of item <see cref="DicomDatasetWalker.Index"/> of the current sequence.</summary>
    ItemStart,

    /// <summary>The end of an item.</summary>
    ItemEnd,

    /// <summary>The end of a sequence.</summary>
    SequenceEnd,
}
