using System.Buffers.Binary;
using System.IO.Compression;
using Gateway.Dicom.Dictionary;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.IO;

/// <summary>
/// Opens a DICOM Part 10 file (PS3.10 7.1): the preamble and "DICM", the File Meta Information, then a
/// <see cref="DicomStreamReader"/> positioned at the data set in its transfer syntax (inflated when deflated).
/// </summary>
/// <remarks>
/// Like DCMTK, it also reads files without a preamble (File Meta Information or data set first) and bare data sets,
/// whose encoding it recognises from the first element header.
/// </remarks>
public sealed class DicomFileReader : IAsyncDisposable, IDisposable
{
    private const int PreambleLength = 128;

    private DicomFileReader(DicomDataset meta, DicomTransferSyntax syntax, bool hasPreamble, long datasetOffset, DicomStreamReader reader)
    {
        FileMetaInformation = meta;
        TransferSyntax = syntax;
        HasPreamble = hasPreamble;
        DatasetOffset = datasetOffset;
        Reader = reader;
    }

    /// <summary>The File Meta Information (group 0002); empty when the input had none.</summary>
    public DicomDataset FileMetaInformation { get; }

    /// <summary>The transfer syntax of the data set: from (0002,0010), or recognised from the data when absent.</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>True when the input began with a 128-byte preamble and "DICM".</summary>
    public bool HasPreamble { get; }

    /// <summary>The offset of the data set's first byte in the input.</summary>
    public long DatasetOffset { get; }

    /// <summary>The reader of the data set, positioned at its first element.</summary>
    public DicomStreamReader Reader { get; }

    /// <summary>Opens a file by path for reading.</summary>
    public static async ValueTask<DicomFileReader> OpenAsync(
        string path,
        DicomReaderOptions? options = null,
        DicomDictionary? dictionary = null,
        CancellationToken cancellationToken = default)
    {
        // Read on the caller's thread: on Linux an asynchronous file read is a blocking read on another pool thread.
        InlineFileStream stream = InlineFileStream.OpenRead(path);
        try
        {
            return await OpenAsync(stream, options, dictionary, leaveOpen: false, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the preamble and File Meta Information of <paramref name="stream"/>.</summary>
    /// <exception cref="DicomFormatException">The input is not DICOM, or its File Meta Information is malformed.</exception>
    public static async ValueTask<DicomFileReader> OpenAsync(
        Stream stream,
        DicomReaderOptions? options = null,
        DicomDictionary? dictionary = null,
        bool leaveOpen = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new DicomStreamReader(stream, DicomEncoding.ExplicitLittleEndian, options, dictionary, 0, leaveOpen);
        try
        {
            return await OpenCoreAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the whole data set into memory.</summary>
    public ValueTask<DicomDataset> ReadDatasetAsync(CancellationToken cancellationToken = default) =>
        DicomDatasetReader.ReadAsync(Reader, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Reader.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => Reader.Dispose();

    /// <summary>
    /// Recognises the encoding of a data set from its first element header, as DCMTK does for files without meta
    /// information: big endian when the group reads smaller that way, explicit VR when bytes 4-5 are a known VR.
    /// </summary>
    public static DicomEncoding DetectEncoding(ReadOnlySpan<byte> header)
    {
        if (header.Length < 8)
        {
            return DicomEncoding.ImplicitLittleEndian;
        }

        int littleGroup = header[0] | (header[1] << 8);
        int bigGroup = (header[0] << 8) | header[1];
        bool bigEndian = bigGroup < littleGroup;
        bool explicitVR = DicomVR.TryCreate(header[4], header[5], out DicomVR vr) && vr.IsKnown;
        return new DicomEncoding(explicitVR, bigEndian);
    }

    private static async ValueTask<DicomFileReader> OpenCoreAsync(DicomStreamReader reader, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> head = await reader.PeekAsync(PreambleLength + 4, cancellationToken).ConfigureAwait(false);
        bool hasPreamble = false;
        if (head.Length >= PreambleLength + 4 && head.Span.Slice(PreambleLength, 4).SequenceEqual("DICM"u8))
        {
            reader.Consume(PreambleLength + 4);
            hasPreamble = true;
        }
        else if (head.Length >= 4 && head.Span[..4].SequenceEqual("DICM"u8))
        {
            reader.Consume(4);
        }

        ReadOnlyMemory<byte> first = await reader.PeekAsync(8, cancellationToken).ConfigureAwait(false);
        if (first.Length < 8)
        {
            throw new DicomFormatException(
                hasPreamble ? DicomFormatError.Truncated : DicomFormatError.NotDicom,
                reader.Position,
                null,
                hasPreamble ? "the file ends after the preamble" : "the input is too short to be DICOM");
        }

        var meta = new DicomDataset();
        bool hasMeta = first.Span[0] == 0x02 && first.Span[1] == 0x00;
        if (hasMeta)
        {
            // PS3.10 7.1: the File Meta Information is always explicit VR little endian (a few writers used implicit VR).
            long metaStart = reader.Position;
            reader.Restart(DetectEncoding(first.Span) with { IsBigEndian = false });
            reader.StopBefore(static tag => tag.Group != 0x0002);
            meta = await DicomDatasetReader.ReadAsync(reader, cancellationToken).ConfigureAwait(false);
            reader.StopBefore(null);

            // PS3.10 7.1: (0002,0000) counts the meta bytes after it (its own 12 bytes). A file that ends before that
            // count is truncated, not an empty data set.
            if (meta.TryGetElement(DicomTags.FileMetaInformationGroupLength, out DicomElement? groupLength) && groupLength.Length == 4)
            {
                long missing = metaStart + 12 + BinaryPrimitives.ReadUInt32LittleEndian(groupLength.Value.Span) - reader.Position;
                int want = (int)Math.Min(missing, 4096);
                if (want > 0 && (await reader.PeekAsync(want, cancellationToken).ConfigureAwait(false)).Length < want)
                {
                    throw new DicomFormatException(DicomFormatError.Truncated, reader.Position, DicomTags.FileMetaInformationGroupLength, "the file ends inside the File Meta Information");
                }
            }
        }
        else if (hasPreamble && !LooksLikeDataElement(first.Span))
        {
            throw new DicomFormatException(DicomFormatError.InvalidFileMetaInformation, reader.Position, FirstTag(first.Span), "no File Meta Information or data set follows the DICM prefix");
        }
        else if (!hasPreamble && !LooksLikeDataElement(first.Span))
        {
            throw new DicomFormatException(DicomFormatError.NotDicom, reader.Position, FirstTag(first.Span), "the input is neither a DICOM file nor a data set");
        }

        DicomTransferSyntax syntax;
        string? tsUid = meta.GetString(DicomTags.TransferSyntaxUID);
        if (tsUid is not null)
        {
            if (!DicomTransferSyntax.TryLookup(tsUid, out syntax))
            {
                throw new DicomFormatException(DicomFormatError.InvalidFileMetaInformation, reader.Position, DicomTags.TransferSyntaxUID, $"'{tsUid}' is not a transfer syntax UID");
            }
        }
        else
        {
            // No File Meta Information, or one without (0002,0010): the encoding is recognised from the first element,
            // as DCMTK does (dcmdump reads such a file and says which syntax it used).
            ReadOnlyMemory<byte> header = await reader.PeekAsync(8, cancellationToken).ConfigureAwait(false);
            DicomEncoding detected = DetectEncoding(header.Span);
            syntax = detected.IsBigEndian ? DicomTransferSyntax.ExplicitVRBigEndian
                : detected.IsExplicitVR ? DicomTransferSyntax.ExplicitVRLittleEndian
                : DicomTransferSyntax.ImplicitVRLittleEndian;
        }

        long datasetOffset = reader.Position;
        if (syntax.IsDeflated)
        {
            reader.RestartThrough(static s => new DeflateStream(s, CompressionMode.Decompress, leaveOpen: false), syntax.Encoding);
        }
        else
        {
            reader.Restart(syntax.Encoding);
        }

        return new DicomFileReader(meta, syntax, hasPreamble, datasetOffset, reader);
    }

    // The tag the first bytes would be in little endian, named in errors as dcmdump names the element it cannot read.
    private static DicomTag FirstTag(ReadOnlySpan<byte> header) =>
        new(BinaryPrimitives.ReadUInt16LittleEndian(header), BinaryPrimitives.ReadUInt16LittleEndian(header[2..]));

    // A plausible first element: a known explicit VR, or an even group up to 7FE0 with a modest implicit length.
    private static bool LooksLikeDataElement(ReadOnlySpan<byte> header)
    {
        DicomEncoding e = DetectEncoding(header);
        int group = e.IsBigEndian ? (header[0] << 8) | header[1] : header[0] | (header[1] << 8);
        if (group is 0 or >= 0xFFFE)
        {
            return false;
        }

        if (e.IsExplicitVR)
        {
            return true;
        }

        uint length = e.IsBigEndian
            ? (uint)((header[4] << 24) | (header[5] << 16) | (header[6] << 8) | header[7])
            : (uint)(header[4] | (header[5] << 8) | (header[6] << 16) | (header[7] << 24));
        return (group & 1) == 0 && group <= 0x7FE0 && (length < 0x10_0000 || length == 0xFFFF_FFFF);
    }
}
