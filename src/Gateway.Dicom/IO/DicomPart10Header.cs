using System.Buffers.Binary;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.IO;

/// <summary>
/// The head of a DICOM Part 10 file read from a stream that cannot seek (a STOW-RS part, a socket): the File Meta
/// Information, the transfer syntax, and the data set as the rest of the stream, byte for byte as it was sent
/// (still deflated for the deflated transfer syntax).
/// </summary>
/// <param name="FileMetaInformation">The group 0002 elements.</param>
/// <param name="TransferSyntax">The transfer syntax of the data set, from (0002,0010), or recognised from its first element when absent.</param>
/// <param name="DataSet">The data set's bytes: the rest of the input, not one byte of it consumed beyond the meta information.</param>
public sealed record DicomPart10Header(DicomDataset FileMetaInformation, DicomTransferSyntax TransferSyntax, Stream DataSet)
{
    /// <summary>The largest File Meta Information read by default (a real one is a few hundred bytes).</summary>
    public const int DefaultMaxMetaBytes = 64 * 1024;

    private const int PreambleLength = 128;

    /// <summary>(0002,0002) Media Storage SOP Class UID, or null.</summary>
    public string? SopClassUid => FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID)?.TrimEnd('\0', ' ');

    /// <summary>(0002,0003) Media Storage SOP Instance UID, or null.</summary>
    public string? SopInstanceUid => FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID)?.TrimEnd('\0', ' ');

    /// <summary>
    /// Reads the 128-byte preamble, "DICM" and the File Meta Information (PS3.10 7.1) one element at a time, so that the
    /// input is left exactly at the data set, whose first element header is handed back in <see cref="DataSet"/>.
    /// </summary>
    /// <param name="input">The file; it is left open and read only as far as needed. <see cref="DataSet"/> reads the rest of it.</param>
    /// <param name="maxMetaBytes">The most File Meta Information bytes accepted, checked before each element is read.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="DicomFormatException">Not a Part 10 file, truncated, or its File Meta Information is malformed or too long.</exception>
    public static async ValueTask<DicomPart10Header> ReadAsync(Stream input, int maxMetaBytes = DefaultMaxMetaBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMetaBytes, 256);

        byte[] head = new byte[PreambleLength + 4];
        int got = await input.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got < head.Length || !head.AsSpan(PreambleLength, 4).SequenceEqual("DICM"u8))
        {
            throw new DicomFormatException(DicomFormatError.NotDicom, 0, null, "not a DICOM Part 10 file: no 128-byte preamble followed by DICM");
        }

        // "DICM" then the meta elements, parsed below by the ordinary file reader.
        using var meta = new MemoryStream();
        meta.Write("DICM"u8);
        byte[] header = new byte[12];
        long offset = head.Length;
        while (true)
        {
            got = await input.ReadAtLeastAsync(header.AsMemory(0, 8), 8, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (got < 8 || BinaryPrimitives.ReadUInt16LittleEndian(header) != 0x0002)
            {
                // The first element of the data set (or its start, at the end of a file without one): handed back.
                byte[] first = header[..got];
                return await ParseAsync(meta, first, input, offset, cancellationToken).ConfigureAwait(false);
            }

            var tag = new DicomTag(0x0002, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(2)));
            if (!DicomVR.TryCreate(header[4], header[5], out DicomVR vr) || !vr.IsKnown)
            {
                throw new DicomFormatException(DicomFormatError.InvalidFileMetaInformation, offset, tag, "the File Meta Information is not explicit VR little endian");
            }

            int headerLength = 8;
            long length = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
            if (vr.HasLongLength)
            {
                if (await input.ReadAtLeastAsync(header.AsMemory(8, 4), 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < 4)
                {
                    throw new DicomFormatException(DicomFormatError.Truncated, offset, tag, "the file ends inside the File Meta Information");
                }

                headerLength = 12;
                length = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            }

            if (meta.Length + headerLength + length > maxMetaBytes)
            {
                throw new DicomFormatException(DicomFormatError.InvalidFileMetaInformation, offset, tag, $"the File Meta Information is longer than {maxMetaBytes} bytes");
            }

            meta.Write(header, 0, headerLength);
            byte[] value = new byte[(int)length];
            if (await input.ReadAtLeastAsync(value, value.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < value.Length)
            {
                throw new DicomFormatException(DicomFormatError.Truncated, offset, tag, "the file ends inside the File Meta Information");
            }

            meta.Write(value);
            offset += headerLength + length;
        }
    }

    private static async ValueTask<DicomPart10Header> ParseAsync(MemoryStream meta, byte[] first, Stream input, long offset, CancellationToken cancellationToken)
    {
        if (meta.Length == 4)
        {
            throw new DicomFormatException(DicomFormatError.InvalidFileMetaInformation, offset, null, "the file has no File Meta Information");
        }

        // The data set's first element header goes along: without (0002,0010) the file reader recognises the encoding from
        // it, as DCMTK does.
        meta.Write(first);
        meta.Position = 0;
        await using DicomFileReader reader = await DicomFileReader.OpenAsync(meta, leaveOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new DicomPart10Header(reader.FileMetaInformation, reader.TransferSyntax, new PrefixedStream(first, input, leaveInnerOpen: true));
    }
}
