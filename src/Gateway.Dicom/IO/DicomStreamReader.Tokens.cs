using System.Buffers.Binary;

namespace Gateway.Dicom.IO;

public sealed partial class DicomStreamReader
{
    /// <summary>Advances to the next token.</summary>
    /// <returns>False at the clean end of the data set (or at a stop tag); true otherwise.</returns>
    /// <exception cref="DicomFormatException">The input is malformed or exceeds a limit.</exception>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return false;
        }

        if (_valueRemaining > 0)
        {
            await SkipValueAsync(cancellationToken).ConfigureAwait(false);
        }

        long position = Position;
        if (Current.End >= 0 && position >= Current.End)
        {
            // A defined-length item or sequence ends exactly where its length says (overruns are refused at the header).
            PopLevel(position);
            return true;
        }

        PrivateCreator = null;
        TokenOffset = position;
        if (!await FillAsync(8, cancellationToken).ConfigureAwait(false))
        {
            // With a stop predicate (the File Meta Information), bytes too few for a header belong to what follows:
            // a deflated data set can be shorter than 8 bytes.
            if (_levelCount == 1 && (_end == _start || _stopBefore is not null))
            {
                _finished = true;
                TokenType = DicomTokenType.None;
                return false;
            }

            throw Error(
                DicomFormatError.Truncated,
                _levelCount == 1 ? "the stream ends inside a data element header" : "the stream ends inside an open sequence or item",
                _levelCount == 1 ? null : Current.Tag);
        }

        DicomEncoding levelEncoding = Current.Encoding;
        bool bigEndian = levelEncoding.IsBigEndian;
        ReadOnlySpan<byte> header = _buffer.AsSpan(_start, 8);
        var tag = new DicomTag(ReadUInt16(header, bigEndian), ReadUInt16(header[2..], bigEndian));

        if (tag.Group == 0xFFFE)
        {
            uint itemLength = ReadUInt32(header[4..], bigEndian);
            return ReadItemOrDelimiter(ref Current, tag, itemLength);
        }

        switch (Current.Kind)
        {
            case LevelKind.Sequence:
                throw Error(DicomFormatError.UnexpectedTagInSequence, "a sequence holds a data element where an item must stand", tag);
            case LevelKind.Fragments:
                throw Error(DicomFormatError.UnexpectedTagInSequence, "encapsulated pixel data holds a data element where a fragment must stand", tag);
        }

        if (_levelCount == 1 && _stopBefore is not null && _stopBefore(tag))
        {
            _finished = true;
            TokenType = DicomTokenType.None;
            return false;
        }

        DicomVR vr;
        uint length;
        int headerLength;
        if (levelEncoding.IsExplicitVR)
        {
            if (!DicomVR.TryCreate(header[4], header[5], out vr))
            {
                throw Error(DicomFormatError.InvalidVR, $"explicit VR bytes 0x{header[4]:X2} 0x{header[5]:X2} are not a value representation", tag);
            }

            if (vr.HasLongLength)
            {
                if (!await FillAsync(12, cancellationToken).ConfigureAwait(false))
                {
                    throw Error(DicomFormatError.Truncated, "the stream ends inside a data element header", tag);
                }

                length = ReadUInt32(_buffer.AsSpan(_start + 8, 4), bigEndian);
                headerLength = 12;
            }
            else
            {
                length = ReadUInt16(header[6..], bigEndian);
                headerLength = 8;
            }

            if (!vr.IsKnown)
            {
                // PS3.5 7.1.2: a VR this reader does not know is read as UN with a 32-bit length.
                vr = DicomVR.UN;
            }
        }
        else
        {
            length = ReadUInt32(header[4..], bigEndian);
            headerLength = 8;
            vr = DicomVR.UN;
        }

        if (tag.IsPrivate && !tag.IsPrivateCreator && Current.Creators is { } creators &&
            creators.TryGetValue(CreatorKey(tag), out string? creator))
        {
            PrivateCreator = creator;
        }

        if (!levelEncoding.IsExplicitVR)
        {
            vr = _dictionary.GetImplicitVR(tag, PrivateCreator, Current.PixelRepresentation);
        }

        if (++_elementCount > _options.MaxElements)
        {
            throw Error(DicomFormatError.ElementLimitExceeded, $"more than {_options.MaxElements} data elements", tag);
        }

        _start += headerLength;
        Tag = tag;
        Length = length;
        Index = 0;
        Depth = _levelCount - 1;

        if (length == UndefinedLength)
        {
            return StartUndefinedLength(ref Current, tag, vr);
        }

        long valueEnd = Position + length;
        CheckFits(ref Current, valueEnd, tag, "the value");

        if (vr == DicomVR.SQ)
        {
            VR = DicomVR.SQ;
            PushLevel(LevelKind.Sequence, valueEnd, levelEncoding, tag);
            TokenType = DicomTokenType.SequenceStart;
            return true;
        }

        if ((length & 1) != 0 && !_options.AllowOddLengths)
        {
            throw Error(DicomFormatError.OddLength, $"value length {length} is odd", tag);
        }

        VR = vr;
        TokenType = DicomTokenType.Element;
        _valueRemaining = length;
        await CaptureContextAsync(tag, length, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private bool ReadItemOrDelimiter(ref Level level, DicomTag tag, uint length)
    {
        _start += 8;
        Tag = tag;
        Length = length;
        VR = default;

        if (tag == DicomTag.Item)
        {
            switch (level.Kind)
            {
                case LevelKind.Sequence:
                    if (++level.Count > _options.MaxItemsPerSequence)
                    {
                        throw Error(DicomFormatError.ItemLimitExceeded, $"more than {_options.MaxItemsPerSequence} items in one sequence", level.Tag);
                    }

                    if (++_elementCount > _options.MaxElements)
                    {
                        throw Error(DicomFormatError.ElementLimitExceeded, $"more than {_options.MaxElements} data elements and items", level.Tag);
                    }

                    Index = level.Count - 1;
                    Depth = _levelCount - 1;
                    long itemEnd = -1;
                    if (length != UndefinedLength)
                    {
                        if ((length & 1) != 0)
                        {
                            throw Error(DicomFormatError.OddLength, $"item length {length} is odd", level.Tag);
                        }

                        itemEnd = Position + length;
                        CheckFits(ref level, itemEnd, level.Tag, "the item");
                    }

                    DicomEncoding encoding = level.Encoding;
                    DicomTag sequenceTag = level.Tag;
                    PushLevel(LevelKind.Item, itemEnd, encoding, sequenceTag);
                    TokenType = DicomTokenType.ItemStart;
                    return true;

                case LevelKind.Fragments:
                    if (length == UndefinedLength)
                    {
                        throw Error(DicomFormatError.UndefinedLengthNotAllowed, "a pixel data fragment has undefined length", level.Tag);
                    }

                    if (++level.Count > _options.MaxFragments)
                    {
                        throw Error(DicomFormatError.ItemLimitExceeded, $"more than {_options.MaxFragments} pixel data fragments", level.Tag);
                    }

                    CheckFits(ref level, Position + length, level.Tag, "the fragment");
                    Index = level.Count - 1;
                    Depth = _levelCount - 1;
                    Tag = level.Tag;
                    TokenType = DicomTokenType.Fragment;
                    _valueRemaining = length;
                    return true;

                default:
                    throw Error(DicomFormatError.UnexpectedDelimiter, "an item stands outside any sequence", tag);
            }
        }

        if (tag == DicomTag.ItemDelimitationItem)
        {
            if (level.Kind != LevelKind.Item || level.End >= 0)
            {
                throw Error(DicomFormatError.UnexpectedDelimiter, "an item delimitation item stands outside an item of undefined length", tag);
            }

            PopLevel(TokenOffset);
            return true;
        }

        if (tag == DicomTag.SequenceDelimitationItem)
        {
            if (level.Kind is not (LevelKind.Sequence or LevelKind.Fragments) || level.End >= 0)
            {
                throw Error(DicomFormatError.UnexpectedDelimiter, "a sequence delimitation item stands outside a sequence of undefined length", tag);
            }

            PopLevel(TokenOffset);
            return true;
        }

        throw Error(DicomFormatError.UnexpectedTagInSequence, "an unknown item tag in group FFFE", tag);
    }

    private bool StartUndefinedLength(ref Level level, DicomTag tag, DicomVR vr)
    {
        if (tag == DicomTags.PixelData && vr != DicomVR.SQ && vr != DicomVR.UN)
        {
            // PS3.5 A.4: encapsulated pixel data, a sequence of fragments, is OB. Some writers put OW in the header;
            // it is read as OB, as DCMTK does, so that what is written from it is conformant.
            VR = DicomVR.OB;
            PushLevel(LevelKind.Fragments, -1, level.Encoding, tag);
            TokenType = DicomTokenType.FragmentsStart;
            return true;
        }

        DicomEncoding itemEncoding = level.Encoding;
        if (vr == DicomVR.UN)
        {
            // PS3.5 6.2.2 note / CP-246: an undefined-length UN holds a sequence encoded in implicit VR little endian.
            // In implicit VR the dictionary does not know this element, and only a sequence can have undefined length.
            itemEncoding = DicomEncoding.ImplicitLittleEndian;
        }
        else if (vr != DicomVR.SQ)
        {
            throw Error(DicomFormatError.UndefinedLengthNotAllowed, $"a {vr} element has undefined length", tag);
        }

        VR = DicomVR.SQ;
        PushLevel(LevelKind.Sequence, -1, itemEncoding, tag);
        TokenType = DicomTokenType.SequenceStart;
        return true;
    }

    private void CheckFits(ref Level level, long end, DicomTag tag, string what)
    {
        if (level.End >= 0 && end > level.End)
        {
            throw Error(DicomFormatError.LengthExceedsParent, $"{what} ends at {end}, past the end of its item or sequence at {level.End}", tag);
        }

        if (_knownEnd >= 0 && end > _knownEnd)
        {
            throw Error(DicomFormatError.LengthPastEnd, $"{what} ends at {end}, past the end of the stream at {_knownEnd}", tag);
        }
    }

    private void PushLevel(LevelKind kind, long end, DicomEncoding encoding, DicomTag tag)
    {
        // Items are one level below their sequence; the sequence depth limit counts sequences.
        if (kind is LevelKind.Sequence or LevelKind.Fragments && SequenceDepth() >= _options.MaxDepth)
        {
            throw Error(DicomFormatError.DepthLimitExceeded, $"sequences nested deeper than {_options.MaxDepth}", tag);
        }

        if (_levelCount == _levels.Length)
        {
            Array.Resize(ref _levels, _levels.Length * 2);
        }

        _levels[_levelCount++] = new Level
        {
            Kind = kind,
            End = end,
            Encoding = encoding,
            Tag = tag,
            PixelRepresentation = -1,
        };
    }

    private void PopLevel(long offset)
    {
        Level closed = _levels[--_levelCount];
        _levels[_levelCount] = default;
        TokenOffset = offset;
        Tag = closed.Tag;
        Length = 0;
        VR = closed.Kind == LevelKind.Fragments ? VR : default;
        TokenType = closed.Kind switch
        {
            LevelKind.Item => DicomTokenType.ItemEnd,
            LevelKind.Sequence => DicomTokenType.SequenceEnd,
            LevelKind.Fragments => DicomTokenType.FragmentsEnd,
            _ => throw new InvalidOperationException("the top-level data set has no end token"),
        };
        Depth = _levelCount - 1;
    }

    // The number of open sequences (and fragment sequences) around the current position.
    private int SequenceDepth()
    {
        int depth = 0;
        for (int i = 1; i < _levelCount; i++)
        {
            if (_levels[i].Kind is LevelKind.Sequence or LevelKind.Fragments)
            {
                depth++;
            }
        }

        return depth;
    }

    /// <summary>
    /// Remembers the values that later implicit-VR elements of the same data set depend on: private creators
    /// (PS3.5 7.8.1) and Pixel Representation (US or SS attributes). The value stays unconsumed for the caller.
    /// </summary>
    private async ValueTask CaptureContextAsync(DicomTag tag, uint length, CancellationToken cancellationToken)
    {
        bool isCreator = tag.IsPrivateCreator && length <= 128;
        bool isPixelRepresentation = tag == DicomTags.PixelRepresentation && length == 2;
        if (!isCreator && !isPixelRepresentation)
        {
            return;
        }

        if (!await FillAsync((int)length, cancellationToken).ConfigureAwait(false))
        {
            throw Error(DicomFormatError.Truncated, "the stream ends inside a value", tag, Position);
        }

        ReadOnlySpan<byte> value = _buffer.AsSpan(_start, (int)length);
        ref Level level = ref Current;
        if (isPixelRepresentation)
        {
            level.PixelRepresentation = ReadUInt16(value, level.Encoding.IsBigEndian);
        }
        else
        {
            level.Creators ??= [];
            level.Creators[CreatorKey(tag)] = System.Text.Encoding.Latin1.GetString(value).Trim(' ', '\0');
        }
    }

    private ref Level Current => ref _levels[_levelCount - 1];

    private static uint CreatorKey(DicomTag tag) =>
        tag.IsPrivateCreator ? ((uint)tag.Group << 8) | (byte)tag.Element : ((uint)tag.Group << 8) | (byte)(tag.Element >> 8);

    private static ushort ReadUInt16(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);

    private static uint ReadUInt32(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
}
