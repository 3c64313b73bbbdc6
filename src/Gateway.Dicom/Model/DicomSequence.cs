namespace Gateway.Dicom.Model;

/// <summary>A sequence (SQ): an ordered list of items, each a nested data set.</summary>
public sealed class DicomSequence : DicomItem
{
    private readonly List<DicomDataset> _items;

    /// <summary>Creates a sequence with <paramref name="items"/>.</summary>
    public DicomSequence(DicomTag tag, IEnumerable<DicomDataset> items)
        : base(tag, DicomVR.SQ)
    {
        _items = [.. items];
    }

    /// <summary>The items.</summary>
    public IReadOnlyList<DicomDataset> Items => _items;

    /// <summary>Appends an item.</summary>
    public void Add(DicomDataset item) => _items.Add(item);
}
