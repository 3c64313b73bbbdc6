using Gateway.Dicom.Model;

namespace Gateway.DicomWeb;

/// <summary>
/// Walks an in-memory data set attribute by attribute, items included, on an explicit stack (no data set can overflow
/// the call stack), giving each attribute's path ("GGGGEEEE", nested "SSSSSSSS/i/GGGGEEEE"). Group lengths are skipped.
/// </summary>
internal sealed class DicomDatasetWalker(DicomDataset root)
{
    private readonly Stack<Frame> _stack = new([Frame.ForDataset(root, string.Empty)]);

    /// <summary>The event the walker stands on.</summary>
    public DicomWalkEvent Event { get; private set; }

    /// <summary>The attribute (Leaf, SequenceStart, SequenceEnd).</summary>
    public DicomItem? Item { get; private set; }

    /// <summary>The data set that holds <see cref="Item"/>, or the item itself on ItemStart.</summary>
    public DicomDataset Dataset { get; private set; } = root;

    /// <summary>The attribute's path, or the item's on ItemStart and ItemEnd.</summary>
    public string Path { get; private set; } = string.Empty;

    /// <summary>The item index on ItemStart and ItemEnd, from 0.</summary>
    public int Index { get; private set; }

    /// <summary>Moves to the next event; false when the data set is done.</summary>
    public bool Next()
    {
        while (_stack.Count > 0)
        {
            Frame frame = _stack.Peek();
            if (frame.Sequence is { } sequence)
            {
                if (frame.InItem)
                {
                    frame.InItem = false;
                    Index = frame.NextItem - 1;
                    Path = DicomAttributePath.Item(frame.Path, Index);
                    Event = DicomWalkEvent.ItemEnd;
                    return true;
                }

                if (frame.NextItem < sequence.Items.Count)
                {
                    DicomDataset item = sequence.Items[frame.NextItem];
                    Index = frame.NextItem++;
                    Path = DicomAttributePath.Item(frame.Path, Index);
                    Dataset = item;
                    Item = sequence;
                    frame.InItem = true;
                    _stack.Push(Frame.ForDataset(item, Path));
                    Event = DicomWalkEvent.ItemStart;
                    return true;
                }

                _stack.Pop();
                Item = sequence;
                Path = frame.Path;
                Event = DicomWalkEvent.SequenceEnd;
                return true;
            }

            if (!frame.Items!.MoveNext())
            {
                _stack.Pop();
                continue;
            }

            DicomItem entry = frame.Items.Current;
            if (entry.Tag.IsGroupLength)
            {
                continue;
            }

            Item = entry;
            Dataset = frame.Dataset!;
            Path = DicomAttributePath.Child(frame.Path, entry.Tag);
            if (entry is DicomSequence s)
            {
                _stack.Push(Frame.ForSequence(s, Path));
                Event = DicomWalkEvent.SequenceStart;
                return true;
            }

            Event = DicomWalkEvent.Leaf;
            return true;
        }

        return false;
    }

    private sealed class Frame
    {
        public DicomDataset? Dataset { get; private init; }

        public IEnumerator<DicomItem>? Items { get; private init; }

        public DicomSequence? Sequence { get; private init; }

        public int NextItem { get; set; }

        public bool InItem { get; set; }

        public required string Path { get; init; }

        public static Frame ForDataset(DicomDataset dataset, string path) =>
            new() { Dataset = dataset, Items = dataset.GetEnumerator(), Path = path };

        public static Frame ForSequence(DicomSequence sequence, string path) =>
            new() { Sequence = sequence, Path = path };
    }
}
