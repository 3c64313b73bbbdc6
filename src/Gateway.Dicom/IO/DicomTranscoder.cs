using System.Buffers;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.IO;

/// <summary>
/// Re-encodes a DICOM file into another transfer syntax as a stream: values are copied chunk by chunk (byte-swapped
/// when the byte order changes), so memory stays bounded whatever the size of the instance.
/// </summary>
public static class DicomTranscoder
{
    private const int ChunkSize = 1024 * 1024;

    /// <summary>True when any data set in <paramref name="source"/> can be written in <paramref name="target"/> without a codec.</summary>
    /// <remarks>
    /// Uncompressed syntaxes convert into each other. Encapsulated pixel data is carried byte for byte and can only be
    /// written in its own transfer syntax: decompressing or compressing needs a codec this gateway does not have. A data
    /// set without pixel data converts between any two syntaxes; <see cref="TranscodeAsync"/> finds that out as it reads.
    /// </remarks>
    public static bool CanTranscode(DicomTransferSyntax source, DicomTransferSyntax target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return source.Equals(target) || (!source.IsEncapsulated && !target.IsEncapsulated);
    }

    /// <summary>Writes the file that <paramref name="source"/> is reading to <paramref name="destination"/> in <paramref name="target"/>.</summary>
    /// <exception cref="DicomFormatException">The source is malformed, or it cannot be written in <paramref name="target"/>.</exception>
    public static async ValueTask TranscodeAsync(DicomFileReader source, Stream destination, DicomTransferSyntax target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(target);
        DicomStreamReader reader = source.Reader;
        if (!source.TransferSyntax.IsKnown && !source.TransferSyntax.Equals(target))
        {
            // Read as a future encapsulated syntax: what its data set holds besides pixel data cannot be vouched for.
            throw new DicomFormatException(
                DicomFormatError.UnsupportedTransferSyntax,
                source.DatasetOffset,
                DicomTags.TransferSyntaxUID,
                $"{source.TransferSyntax} is no transfer syntax this codec knows: it is only written in its own transfer syntax");
        }

        // Between an encapsulated syntax and another one, only pixel data needs a codec: a data set without it (a
        // structured report, a presentation state, a key object selection filed under a compressed syntax) converts, as
        // DCMTK's dcmconv converts it. Whether there is pixel data is known only on reaching it; OUT is then incomplete,
        // and the caller discards it.
        PixelDataRefusal? refusal = CanTranscode(source.TransferSyntax, target) ? null : new PixelDataRefusal(source.TransferSyntax, target);

        DicomUid? sopClass = source.FileMetaInformation.GetUid(DicomTags.MediaStorageSOPClassUID);
        DicomUid? sopInstance = source.FileMetaInformation.GetUid(DicomTags.MediaStorageSOPInstanceUID);
        DicomDataset? head = null;
        if (sopClass is null || sopInstance is null)
        {
            // PS3.10 7.1: (0002,0002) and (0002,0003) are Type 1. Without them in the source (a bare data set), take them
            // from (0008,0016) and (0008,0018), as DCMTK does: read the data set up to them, then stream the rest.
            reader.StopBefore(static tag => tag > DicomTags.SOPInstanceUID);
            head = await DicomDatasetReader.ReadAsync(reader, cancellationToken).ConfigureAwait(false);
            reader.StopBefore(null);
            reader.Restart(reader.Encoding);
            sopClass ??= head.GetUid(DicomTags.SOPClassUID);
            sopInstance ??= head.GetUid(DicomTags.SOPInstanceUID);
        }

        DicomDataset meta = DicomFileWriter.BuildFileMetaInformation(source.FileMetaInformation, sopClass, sopInstance, target);
        await DicomFileWriter.WriteHeaderAsync(destination, meta, cancellationToken).ConfigureAwait(false);

        DicomStreamWriter writer = DicomFileWriter.OpenDatasetWriter(destination, target, out Stream? deflate);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            if (head is not null)
            {
                await DicomDatasetWriter.WriteAsync(writer, head, cancellationToken).ConfigureAwait(false);
            }

            await CopyTokensAsync(reader, writer, chunk, refusal, cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            await DicomFileWriter.CloseAsync(writer, deflate).ConfigureAwait(false);
        }
    }

    /// <summary>Copies every remaining token of <paramref name="reader"/> to <paramref name="writer"/>.</summary>
    public static ValueTask CopyTokensAsync(DicomStreamReader reader, DicomStreamWriter writer, byte[] chunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Length < 8)
        {
            throw new ArgumentException("The chunk buffer must hold at least 8 bytes.", nameof(chunk));
        }

        return CopyTokensAsync(reader, writer, chunk, null, cancellationToken);
    }

    private static async ValueTask CopyTokensAsync(DicomStreamReader reader, DicomStreamWriter writer, byte[] chunk, PixelDataRefusal? refusal, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            refusal?.Check(reader);
            switch (reader.TokenType)
            {
                case DicomTokenType.Element:
                    if (reader.Tag.IsGroupLength && reader.Tag.Group > 0x0002)
                    {
                        // Retired data set group lengths would be wrong after re-encoding: leave them out.
                        break;
                    }

                    await writer.WriteElementHeaderAsync(reader.Tag, reader.VR, reader.Length, cancellationToken).ConfigureAwait(false);
                    await CopyValueAsync(reader, writer, chunk, cancellationToken).ConfigureAwait(false);
                    break;
                case DicomTokenType.SequenceStart:
                    await writer.WriteSequenceStartAsync(reader.Tag, cancellationToken).ConfigureAwait(false);
                    break;
                case DicomTokenType.ItemStart:
                    await writer.WriteItemStartAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case DicomTokenType.ItemEnd:
                    await writer.WriteItemEndAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case DicomTokenType.SequenceEnd:
                case DicomTokenType.FragmentsEnd:
                    await writer.WriteSequenceEndAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case DicomTokenType.FragmentsStart:
                    await writer.WriteFragmentsStartAsync(reader.Tag, reader.VR, cancellationToken).ConfigureAwait(false);
                    break;
                case DicomTokenType.Fragment:
                    await writer.WriteFragmentHeaderAsync(reader.Length, cancellationToken).ConfigureAwait(false);
                    await CopyValueAsync(reader, writer, chunk, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>Refuses, on reaching it, the pixel data that a conversion between <c>From</c> and <c>To</c> would need a codec for.</summary>
    private readonly record struct PixelDataRefusal(DicomTransferSyntax From, DicomTransferSyntax To)
    {
        public void Check(DicomStreamReader reader)
        {
            // Encapsulated fragments anywhere (an icon image sequence holds them too) cannot be decoded; native Pixel Data
            // of the data set itself cannot be encoded (PS3.5 A.4: in an encapsulated syntax it must be encapsulated).
            bool refused = reader.TokenType == DicomTokenType.FragmentsStart
                || (To.IsEncapsulated && reader.TokenType == DicomTokenType.Element && reader.Depth == 0 && reader.Tag == DicomTags.PixelData);
            if (refused)
            {
                throw new DicomFormatException(
                    DicomFormatError.UnsupportedTransferSyntax,
                    reader.TokenOffset,
                    reader.Tag,
                    $"{From} cannot be re-encoded as {To}: the data set holds pixel data, which is only written in its own transfer syntax");
            }
        }
    }

    private static async ValueTask CopyValueAsync(DicomStreamReader reader, DicomStreamWriter writer, byte[] chunk, CancellationToken cancellationToken)
    {
        bool bigEndian = reader.Encoding.IsBigEndian;

        // Whole multiples of 8 bytes per chunk, so that byte swapping never splits a unit.
        int size = chunk.Length & ~7;
        while (reader.ValueRemaining > 0)
        {
            int filled = 0;
            while (filled < size && reader.ValueRemaining > 0)
            {
                filled += await reader.ReadValueChunkAsync(chunk.AsMemory(filled, size - filled), cancellationToken).ConfigureAwait(false);
            }

            await writer.WriteValueChunkAsync(chunk.AsMemory(0, filled), bigEndian, cancellationToken).ConfigureAwait(false);
        }
    }
}
