namespace Gateway.Dicom.Model;

/// <summary>Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table and the fragments, carried byte for byte.</summary>
public sealed class DicomFragmentSequence : DicomItem
{
    private readonly List<ReadOnlyMemory<byte>> _fragments;

    /// <summary>Creates encapsulated pixel data. The first item in <paramref name="items"/> is the Basic Offset Table.</summary>
    public DicomFragmentSequence(DicomTag tag, DicomVR vr, IEnumerable<ReadOnlyMemory<byte>> items)
        : base(tag, vr)
    {
        _fragments = [.. items];
    }

    /// <summary>Every item as written: the Basic Offset Table (possibly empty) first, then the fragments.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Items => _fragments;

    /// <summary>The Basic Offset Table, or empty when there is none.</summary>
    public ReadOnlyMemory<byte> OffsetTable => _fragments.Count > 0 ? _fragments[0] : ReadOnlyMemory<byte>.Empty;

    /// <summary>Appends an item (the first appended is the Basic Offset Table).</summary>
    public void Add(ReadOnlyMemory<byte> item) => _fragments.Add(item);
}
