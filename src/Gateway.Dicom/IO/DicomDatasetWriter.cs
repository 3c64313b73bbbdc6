using Gateway.Dicom.Model;

namespace Gateway.Dicom.IO;

/// <summary>Writes an in-memory <see cref="DicomDataset"/> through a <see cref="DicomStreamWriter"/>.</summary>
public static class DicomDatasetWriter
{
    /// <summary>Writes every entry of <paramref name="dataset"/>, nested items included, in tag order.</summary>
    /// <remarks>Group length elements (gggg,0000) of data set groups are left out: they are retired and would go stale.</remarks>
    public static async ValueTask WriteAsync(DicomStreamWriter writer, DicomDataset dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);

        // Explicit stack of open items, so the depth of a data set never touches the call stack.
        var stack = new Stack<(IEnumerator<DicomItem> Items, IEnumerator<DicomDataset>? SequenceItems)>();
        stack.Push((dataset.GetEnumerator(), null));
        while (stack.Count > 0)
        {
            (IEnumerator<DicomItem> items, IEnumerator<DicomDataset>? sequenceItems) = stack.Peek();
            if (sequenceItems is not null)
            {
                // Positioned on a sequence: open its next item, or close it.
                if (sequenceItems.MoveNext())
                {
                    await writer.WriteItemStartAsync(cancellationToken).ConfigureAwait(false);
                    stack.Pop();
                    stack.Push((items, sequenceItems));
                    stack.Push((sequenceItems.Current.GetEnumerator(), null));
                }
                else
                {
                    await writer.WriteSequenceEndAsync(cancellationToken).ConfigureAwait(false);
                    stack.Pop();
                    stack.Push((items, null));
                }

                continue;
            }

            if (!items.MoveNext())
            {
                stack.Pop();
                if (stack.Count > 0)
                {
                    await writer.WriteItemEndAsync(cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            switch (items.Current)
            {
                case DicomElement e when e.Tag.IsGroupLength && e.Tag.Group > 0x0002:
                    break;
                case DicomElement e:
                    await writer.WriteElementAsync(e.Tag, e.VR, e.Value, valueIsBigEndian: false, cancellationToken).ConfigureAwait(false);
                    break;
                case DicomSequence s:
                    await writer.WriteSequenceStartAsync(s.Tag, cancellationToken).ConfigureAwait(false);
                    stack.Pop();
                    stack.Push((items, s.Items.GetEnumerator()));
                    break;
                case DicomFragmentSequence f:
                    await writer.WriteFragmentsStartAsync(f.Tag, f.VR, cancellationToken).ConfigureAwait(false);
                    foreach (ReadOnlyMemory<byte> fragment in f.Items)
                    {
                        await writer.WriteFragmentHeaderAsync(fragment.Length, cancellationToken).ConfigureAwait(false);
                        await writer.WriteValueChunkAsync(fragment, false, cancellationToken).ConfigureAwait(false);
                    }

                    await writer.WriteSequenceEndAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }
}
