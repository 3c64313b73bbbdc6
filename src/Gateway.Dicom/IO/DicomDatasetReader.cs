using Gateway.Dicom.Model;

namespace Gateway.Dicom.IO;

/// <summary>Builds an in-memory <see cref="DicomDataset"/> from a <see cref="DicomStreamReader"/>, values in little endian.</summary>
public static class DicomDatasetReader
{
    /// <summary>Reads every remaining token of <paramref name="reader"/> into a data set.</summary>
    /// <exception cref="DicomFormatException">The input is malformed or exceeds a limit (including <see cref="DicomReaderOptions.MaxTotalValueBytes"/>).</exception>
    public static async ValueTask<DicomDataset> ReadAsync(DicomStreamReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var root = new DicomDataset();

        // Explicit stacks instead of recursion: depth is bounded by the reader's limit, never by the call stack.
        var datasets = new Stack<DicomDataset>();
        var sequences = new Stack<DicomSequence>();
        DicomDataset current = root;
        DicomFragmentSequence? fragments = null;
        long total = 0;
        long maxTotal = reader.Options.MaxTotalValueBytes;

        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (reader.TokenType)
            {
                case DicomTokenType.Element:
                {
                    total += reader.Length;
                    CheckTotal(reader, total, maxTotal);
                    byte[] value = await reader.ReadValueAsync(cancellationToken).ConfigureAwait(false);
                    if (reader.Encoding.IsBigEndian)
                    {
                        DicomByteOrder.Swap(value, reader.VR.SwapUnit);
                    }

                    current.TryAdd(new DicomElement(reader.Tag, reader.VR, value));
                    break;
                }

                case DicomTokenType.SequenceStart:
                {
                    var sequence = new DicomSequence(reader.Tag, []);
                    current.TryAdd(sequence);
                    sequences.Push(sequence);
                    break;
                }

                case DicomTokenType.ItemStart:
                {
                    var item = new DicomDataset(current);
                    sequences.Peek().Add(item);
                    datasets.Push(current);
                    current = item;
                    break;
                }

                case DicomTokenType.ItemEnd:
                    current = datasets.Pop();
                    break;

                case DicomTokenType.SequenceEnd:
                    sequences.Pop();
                    break;

                case DicomTokenType.FragmentsStart:
                    fragments = new DicomFragmentSequence(reader.Tag, reader.VR, []);
                    current.TryAdd(fragments);
                    break;

                case DicomTokenType.Fragment:
                {
                    total += reader.Length;
                    CheckTotal(reader, total, maxTotal);
                    byte[] value = await reader.ReadValueAsync(cancellationToken).ConfigureAwait(false);
                    fragments!.Add(value);
                    break;
                }

                case DicomTokenType.FragmentsEnd:
                    fragments = null;
                    break;
            }
        }

        return root;
    }

    private static void CheckTotal(DicomStreamReader reader, long total, long maxTotal)
    {
        if (total > maxTotal)
        {
            throw new DicomFormatException(
                DicomFormatError.ValueTooLong,
                reader.TokenOffset,
                reader.Tag,
                $"the data set holds more than {maxTotal} bytes of values in memory");
        }
    }
}
