using System.Buffers;
using System.Buffers.Binary;

namespace Gateway.Dicom.IO;

/// <summary>
/// Writes a data set token by token in one encoding: element headers and values (byte-swapped as needed),
/// sequences and items with undefined length, and encapsulated pixel data fragments.
/// </summary>
/// <remarks>
/// Values are given with the byte order they are in; the writer swaps them, unit by unit, when the target encoding
/// differs. A value written in chunks must be cut on multiples of 8 bytes. Odd-length values are padded with the VR's
/// padding byte (PS3.5 7.1.1). Sequences and items are always written with undefined length, so a data set streams
/// through without knowing the encoded size of nested items in advance.
/// </remarks>
public sealed class DicomStreamWriter : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;
    private const uint UndefinedLength = 0xFFFF_FFFF;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer;
    private int _count;

    // The element whose value is being written.
    private DicomVR _valueVR;
    private long _valueRemaining;
    private bool _padPending;

    /// <summary>Creates a writer of <paramref name="encoding"/> onto <paramref name="stream"/>.</summary>
    public DicomStreamWriter(Stream stream, DicomEncoding encoding, bool leaveOpen = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        Encoding = encoding;
        _leaveOpen = leaveOpen;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>The encoding being written.</summary>
    public DicomEncoding Encoding { get; }

    /// <summary>Bytes written so far, including bytes still buffered.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Writes a whole element: header and value.</summary>
    /// <param name="tag">The tag.</param>
    /// <param name="vr">The VR (ignored on the wire in implicit VR).</param>
    /// <param name="value">The value.</param>
    /// <param name="valueIsBigEndian">The byte order <paramref name="value"/> is in.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async ValueTask WriteElementAsync(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value, bool valueIsBigEndian = false, CancellationToken cancellationToken = default)
    {
        await WriteElementHeaderAsync(tag, vr, value.Length, cancellationToken).ConfigureAwait(false);
        await WriteValueChunkAsync(value, valueIsBigEndian, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes an element header; the value follows through <see cref="WriteValueChunkAsync"/>.</summary>
    /// <remarks>
    /// In explicit VR, a value too long for a VR with a 16-bit length field is written as UN, as DCMTK does.
    /// </remarks>
    public async ValueTask WriteElementHeaderAsync(DicomTag tag, DicomVR vr, long length, CancellationToken cancellationToken = default)
    {
        EnsureNoValuePending();
        if (length is < 0 or >= UndefinedLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        if (vr == DicomVR.SQ || vr.IsNone)
        {
            throw new ArgumentException($"An element header needs a value VR, not '{vr}'.", nameof(vr));
        }

        bool pad = (length & 1) != 0;
        uint wireLength = (uint)(length + (pad ? 1 : 0));
        if (Encoding.IsExplicitVR && !vr.HasLongLength && wireLength > ushort.MaxValue)
        {
            vr = DicomVR.UN;
        }

        await EnsureSpaceAsync(12, cancellationToken).ConfigureAwait(false);
        WriteTag(tag);
        if (Encoding.IsExplicitVR)
        {
            WriteVRAndLength(vr, wireLength);
        }
        else
        {
            WriteUInt32(wireLength);
        }

        _valueVR = vr;
        _valueRemaining = length;
        _padPending = pad;
        if (length == 0)
        {
            _padPending = false;
        }
    }

    /// <summary>Writes the next bytes of the current value.</summary>
    public async ValueTask WriteValueChunkAsync(ReadOnlyMemory<byte> chunk, bool chunkIsBigEndian = false, CancellationToken cancellationToken = default)
    {
        if (chunk.Length > _valueRemaining)
        {
            throw new InvalidOperationException($"The value is {chunk.Length - _valueRemaining} bytes longer than its header said.");
        }

        int unit = _valueVR.SwapUnit;
        bool swap = unit > 1 && chunkIsBigEndian != Encoding.IsBigEndian;
        ReadOnlyMemory<byte> rest = chunk;
        while (!rest.IsEmpty)
        {
            if (_count == _buffer.Length)
            {
                await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            int n = Math.Min(rest.Length, _buffer.Length - _count);
            bool swapThis = swap && rest.Length >= unit;
            if (swapThis)
            {
                n -= n % unit;
                if (n == 0)
                {
                    await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            Span<byte> target = _buffer.AsSpan(_count, n);
            rest.Span[..n].CopyTo(target);
            if (swapThis)
            {
                DicomByteOrder.Swap(target, unit);
            }

            _count += n;
            BytesWritten += n;
            rest = rest[n..];
        }

        _valueRemaining -= chunk.Length;
        if (_valueRemaining == 0 && _padPending)
        {
            _padPending = false;
            await EnsureSpaceAsync(1, cancellationToken).ConfigureAwait(false);
            _buffer[_count++] = _valueVR.PaddingByte;
            BytesWritten++;
        }
    }

    /// <summary>Starts a sequence of undefined length.</summary>
    public async ValueTask WriteSequenceStartAsync(DicomTag tag, CancellationToken cancellationToken = default)
    {
        EnsureNoValuePending();
        await EnsureSpaceAsync(12, cancellationToken).ConfigureAwait(false);
        WriteTag(tag);
        if (Encoding.IsExplicitVR)
        {
            WriteVRAndLength(DicomVR.SQ, UndefinedLength);
        }
        else
        {
            WriteUInt32(UndefinedLength);
        }
    }

    /// <summary>Starts an item of undefined length.</summary>
    public ValueTask WriteItemStartAsync(CancellationToken cancellationToken = default) =>
        WriteItemHeaderAsync(DicomTag.Item, UndefinedLength, cancellationToken);

    /// <summary>Ends an item (Item Delimitation Item).</summary>
    public ValueTask WriteItemEndAsync(CancellationToken cancellationToken = default) =>
        WriteItemHeaderAsync(DicomTag.ItemDelimitationItem, 0, cancellationToken);

    /// <summary>Ends a sequence or encapsulated pixel data (Sequence Delimitation Item).</summary>
    public ValueTask WriteSequenceEndAsync(CancellationToken cancellationToken = default) =>
        WriteItemHeaderAsync(DicomTag.SequenceDelimitationItem, 0, cancellationToken);

    /// <summary>Starts encapsulated pixel data: the element header with undefined length (PS3.5 A.4).</summary>
    public async ValueTask WriteFragmentsStartAsync(DicomTag tag, DicomVR vr, CancellationToken cancellationToken = default)
    {
        EnsureNoValuePending();
        await EnsureSpaceAsync(12, cancellationToken).ConfigureAwait(false);
        WriteTag(tag);
        if (Encoding.IsExplicitVR)
        {
            WriteVRAndLength(vr == DicomVR.OW ? DicomVR.OW : DicomVR.OB, UndefinedLength);
        }
        else
        {
            WriteUInt32(UndefinedLength);
        }
    }

    /// <summary>Starts one fragment (or the Basic Offset Table) of <paramref name="length"/> bytes; the bytes follow through <see cref="WriteValueChunkAsync"/>.</summary>
    public async ValueTask WriteFragmentHeaderAsync(long length, CancellationToken cancellationToken = default)
    {
        if (length is < 0 or >= UndefinedLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        bool pad = (length & 1) != 0;
        await WriteItemHeaderAsync(DicomTag.Item, (uint)(length + (pad ? 1 : 0)), cancellationToken).ConfigureAwait(false);

        // Fragments are bytes (OB): never swapped.
        _valueVR = DicomVR.OB;
        _valueRemaining = length;
        _padPending = pad;
    }

    /// <summary>Writes buffered bytes to the stream and flushes it.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        try
        {
            await FlushBufferAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            if (!_leaveOpen)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask WriteItemHeaderAsync(DicomTag tag, uint length, CancellationToken cancellationToken)
    {
        EnsureNoValuePending();
        await EnsureSpaceAsync(8, cancellationToken).ConfigureAwait(false);
        WriteTag(tag);
        WriteUInt32(length);
    }

    private void EnsureNoValuePending()
    {
        if (_valueRemaining != 0)
        {
            throw new InvalidOperationException($"{_valueRemaining} bytes of the previous value were not written.");
        }
    }

    private ValueTask EnsureSpaceAsync(int count, CancellationToken cancellationToken) =>
        _buffer.Length - _count >= count ? ValueTask.CompletedTask : FlushBufferAsync(cancellationToken);

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_count > 0)
        {
            await _stream.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
            _count = 0;
        }
    }

    private void WriteTag(DicomTag tag)
    {
        WriteUInt16(tag.Group);
        WriteUInt16(tag.Element);
    }

    private void WriteVRAndLength(DicomVR vr, uint length)
    {
        _buffer[_count++] = (byte)vr.First;
        _buffer[_count++] = (byte)vr.Second;
        BytesWritten += 2;
        if (vr.HasLongLength)
        {
            WriteUInt16(0);
            WriteUInt32(length);
        }
        else
        {
            WriteUInt16((ushort)length);
        }
    }

    private void WriteUInt16(ushort value)
    {
        Span<byte> s = _buffer.AsSpan(_count, 2);
        if (Encoding.IsBigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s, value);
        }

        _count += 2;
        BytesWritten += 2;
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> s = _buffer.AsSpan(_count, 4);
        if (Encoding.IsBigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, value);
        }

        _count += 4;
        BytesWritten += 4;
    }
}
