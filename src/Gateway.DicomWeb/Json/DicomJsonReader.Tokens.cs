using System.Globalization;
using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb;

namespace Gateway.DicomWeb.Json;

public sealed partial class DicomJsonReader
{
    private enum FrameKind
    {
        /// <summary>Before the top-level object.</summary>
        RootObject,

        /// <summary>Before the top-level array.</summary>
        RootArray,

        /// <summary>Inside the top-level array: data sets or its end.</summary>
        TopArray,

        /// <summary>Inside a data set object: attribute keys or its end.</summary>
        Dataset,

        /// <summary>Inside an attribute object: vr, Value, InlineBinary, BulkDataURI (in any order) or its end.</summary>
        Attribute,

        /// <summary>Inside a "Value" array.</summary>
        Values,

        /// <summary>Just inside an object in a "Value" array whose VR is not known yet: its first member tells a PN from an item.</summary>
        ValueObject,

        /// <summary>Inside a PN value object: Alphabetic, Ideographic, Phonetic or its end.</summary>
        PersonName,
    }

    private enum Member
    {
        None,
        VR,
        Value,
        InlineBinary,
        BulkDataUri,
    }

    /// <summary>What one element of a "Value" array was, kept until the attribute's VR is known.</summary>
    private enum ValueKind
    {
        String,
        Number,
        Null,
        PersonName,
        Item,
        EmptyObject,
    }

    /// <summary>One element of a "Value" array, with where it stood for error messages.</summary>
    private readonly record struct PendingValue(ValueKind Kind, long Offset, string? Text = null, DicomDataset? Item = null);

    /// <summary>One open JSON container, with what the state machine knows about it.</summary>
    private sealed class Frame
    {
        public FrameKind Kind { get; set; }

        /// <summary>Dataset: the data set being filled; Attribute: the data set that will hold the attribute.</summary>
        public DicomDataset? Dataset { get; init; }

        /// <summary>Dataset: its path prefix ("" at the top); the others: the attribute's path.</summary>
        public string Path { get; init; } = string.Empty;

        /// <summary>Sequence nesting of the data set (0 at the top).</summary>
        public int Depth { get; init; }

        /// <summary>Values, ValueObject and PersonName: the attribute they belong to.</summary>
        public Frame? Owner { get; init; }

        // Dataset: the key just read, whose attribute object comes next.
        public DicomTag? PendingTag { get; set; }

        // Attribute: the tag, the VR once read, the member whose value comes next, and the value collected.
        public DicomTag Tag { get; init; }

        public DicomVR VR { get; set; }

        public Member Pending { get; set; }

        public Member ValueMember { get; set; }

        public long ValueOffset { get; set; }

        public List<PendingValue>? Values { get; set; }

        public byte[]? InlineBinary { get; set; }

        public string? BulkDataUri { get; set; }

        // PersonName: Alphabetic, Ideographic, Phonetic, which of them the next string is (-1: none), and where it began.
        public string?[]? Groups { get; set; }

        public int PendingGroup { get; set; } = -1;

        public long Offset { get; set; }
    }

    private void Handle(ref Utf8JsonReader reader)
    {
        Frame frame = _frames.Peek();
        switch (frame.Kind)
        {
            case FrameKind.RootObject:
                Expect(ref reader, JsonTokenType.StartObject, "a DICOM JSON data set is a JSON object");
                _frames.Push(NewTopDataset());
                break;
            case FrameKind.RootArray:
                Expect(ref reader, JsonTokenType.StartArray, "a DICOM JSON response is a JSON array of data sets");
                frame.Kind = FrameKind.TopArray;
                break;
            case FrameKind.TopArray:
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _frames.Pop();
                    _done = true;
                    break;
                }

                Expect(ref reader, JsonTokenType.StartObject, "each element of a DICOM JSON response is a data set object");
                if (++_datasets > _options.MaxDatasets)
                {
                    throw Error(DicomJsonError.ElementLimitExceeded, Offset(ref reader), $"more than {_options.MaxDatasets} data sets");
                }

                _frames.Push(NewTopDataset());
                break;
            case FrameKind.Dataset:
                HandleDataset(ref reader, frame);
                break;
            case FrameKind.Attribute:
                HandleAttribute(ref reader, frame);
                break;
            case FrameKind.Values:
                HandleValue(ref reader, frame);
                break;
            case FrameKind.ValueObject:
                HandleValueObject(ref reader, frame);
                break;
            case FrameKind.PersonName:
                HandlePersonName(ref reader, frame);
                break;
        }
    }

    private Frame NewTopDataset()
    {
        _nonAscii = false;
        return new Frame { Kind = FrameKind.Dataset, Dataset = new DicomDataset() };
    }

    private void HandleDataset(ref Utf8JsonReader reader, Frame frame)
    {
        if (frame.PendingTag is { } tag)
        {
            Expect(ref reader, JsonTokenType.StartObject, "an attribute is a JSON object");
            frame.PendingTag = null;
            _frames.Push(new Frame { Kind = FrameKind.Attribute, Dataset = frame.Dataset, Path = DicomAttributePath.Child(frame.Path, tag), Depth = frame.Depth, Tag = tag, Offset = Offset(ref reader) });
            return;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _frames.Pop();
            if (frame.Depth == 0)
            {
                CompleteTopDataset(frame.Dataset!);
            }

            return;
        }

        if (reader.TokenType != JsonTokenType.PropertyName)
        {
            throw Error(DicomJsonError.UnexpectedToken, Offset(ref reader), $"expected an attribute key, found {Describe(reader.TokenType)}");
        }

        DicomTag parsed = ParseTag(ref reader, "an attribute key");
        if (parsed.Group is 0x0000 or 0xFFFE)
        {
            throw Error(DicomJsonError.InvalidTag, Offset(ref reader), $"{parsed} may not stand in a data set");
        }

        // A key repeated in one object: the first attribute may already be in the data set, or still open in the item.
        if (frame.Dataset!.Contains(parsed))
        {
            throw new DicomJsonException(DicomJsonError.DuplicateAttribute, Offset(ref reader), DicomAttributePath.Child(frame.Path, parsed), "the attribute appears twice in one data set");
        }

        CountElement(ref reader);
        frame.PendingTag = parsed;
    }

    private void HandleAttribute(ref Utf8JsonReader reader, Frame frame)
    {
        switch (frame.Pending)
        {
            case Member.None:
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    EndAttribute(frame);
                    return;
                }

                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    throw Error(DicomJsonError.UnexpectedToken, Offset(ref reader), $"expected a member of the attribute, found {Describe(reader.TokenType)}");
                }

                frame.Pending = StartMember(ref reader, frame);
                return;
            case Member.VR:
                Expect(ref reader, JsonTokenType.String, "\"vr\" is a string");
                if (!DicomVR.TryParse(reader.GetString(), out DicomVR vr) || !vr.IsKnown)
                {
                    throw Error(DicomJsonError.InvalidVR, Offset(ref reader), "\"vr\" is not a VR of PS3.5 Table 6.2-1");
                }

                frame.VR = vr;
                break;
            case Member.Value:
                Expect(ref reader, JsonTokenType.StartArray, "\"Value\" is an array");
                frame.Values = [];
                _frames.Push(new Frame { Kind = FrameKind.Values, Path = frame.Path, Owner = frame });
                break;
            case Member.InlineBinary:
                Expect(ref reader, JsonTokenType.String, "\"InlineBinary\" is a base64 string");
                if (!reader.TryGetBytesFromBase64(out byte[]? bytes))
                {
                    throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "\"InlineBinary\" is not base64");
                }

                frame.InlineBinary = bytes;
                break;
            case Member.BulkDataUri:
                Expect(ref reader, JsonTokenType.String, "\"BulkDataURI\" is a string");
                frame.BulkDataUri = reader.GetString();
                break;
        }

        frame.Pending = Member.None;
    }

    private Member StartMember(ref Utf8JsonReader reader, Frame frame)
    {
        Member member =
            reader.ValueTextEquals("vr"u8) ? Member.VR :
            reader.ValueTextEquals("Value"u8) ? Member.Value :
            reader.ValueTextEquals("InlineBinary"u8) ? Member.InlineBinary :
            reader.ValueTextEquals("BulkDataURI"u8) ? Member.BulkDataUri :
            throw Error(DicomJsonError.InvalidMember, Offset(ref reader), "an attribute has only the members vr, Value, InlineBinary and BulkDataURI (F.2.2)");
        if (member == Member.VR)
        {
            return frame.VR.IsNone
                ? member
                : throw Error(DicomJsonError.InvalidMember, Offset(ref reader), "\"vr\" appears twice");
        }

        if (frame.ValueMember != Member.None)
        {
            throw Error(DicomJsonError.InvalidMember, Offset(ref reader), "an attribute has at most one of Value, InlineBinary and BulkDataURI");
        }

        frame.ValueMember = member;
        frame.ValueOffset = Offset(ref reader);
        return member;
    }

    private void HandleValue(ref Utf8JsonReader reader, Frame frame)
    {
        Frame owner = frame.Owner!;
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            _frames.Pop();
            return;
        }

        CountElement(ref reader);
        long offset = Offset(ref reader);
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                owner.Values!.Add(new PendingValue(ValueKind.String, offset, reader.GetString()));
                break;
            case JsonTokenType.Number:
                // A JSON number is ASCII and never escaped; no DICOM number needs more than 64 characters.
                if (reader.ValueSpan.Length > 64)
                {
                    throw Error(DicomJsonError.InvalidValue, offset, $"a number of {reader.ValueSpan.Length} characters");
                }

                owner.Values!.Add(new PendingValue(ValueKind.Number, offset, System.Text.Encoding.ASCII.GetString(reader.ValueSpan)));
                break;
            case JsonTokenType.Null:
                owner.Values!.Add(new PendingValue(ValueKind.Null, offset));
                break;
            case JsonTokenType.StartObject:
                // An item of a sequence or a person name; with the VR still unknown, the object's first member decides.
                var next = new Frame { Kind = FrameKind.ValueObject, Path = frame.Path, Owner = owner, Offset = offset };
                _frames.Push(next);
                if (owner.VR == DicomVR.SQ)
                {
                    BecomeItem(next);
                }
                else if (owner.VR == DicomVR.PN)
                {
                    BecomePersonName(next);
                }

                break;
            default:
                throw Error(DicomJsonError.InvalidValue, offset, $"a value is a string, a number, null or an object; found {Describe(reader.TokenType)}");
        }
    }

    private void HandleValueObject(ref Utf8JsonReader reader, Frame frame)
    {
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            // {}: an empty item or an empty person name, as the VR will say.
            _frames.Pop();
            frame.Owner!.Values!.Add(new PendingValue(ValueKind.EmptyObject, frame.Offset));
            return;
        }

        if (reader.ValueTextEquals("Alphabetic"u8) || reader.ValueTextEquals("Ideographic"u8) || reader.ValueTextEquals("Phonetic"u8))
        {
            BecomePersonName(frame);
            HandlePersonName(ref reader, frame);
            return;
        }

        if (reader.ValueSpan.Length == 8 || reader.ValueIsEscaped)
        {
            BecomeItem(frame);
            HandleDataset(ref reader, _frames.Peek());
            return;
        }

        throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "an object in \"Value\" is neither a person name nor a sequence item");
    }

    /// <summary>Replaces the undecided object on top of the stack by a sequence item of its attribute.</summary>
    private void BecomeItem(Frame frame)
    {
        Frame owner = frame.Owner!;
        int depth = owner.Depth + 1;
        if (depth > _options.MaxDepth)
        {
            throw Error(DicomJsonError.DepthLimitExceeded, frame.Offset, $"sequences nested deeper than {_options.MaxDepth}");
        }

        var item = new DicomDataset(owner.Dataset);
        string path = DicomAttributePath.Item(owner.Path, owner.Values!.Count(v => v.Kind is ValueKind.Item or ValueKind.EmptyObject));
        owner.Values!.Add(new PendingValue(ValueKind.Item, frame.Offset, Item: item));
        _frames.Pop();
        _frames.Push(new Frame { Kind = FrameKind.Dataset, Dataset = item, Path = path, Depth = depth });
    }

    private static void BecomePersonName(Frame frame)
    {
        frame.Kind = FrameKind.PersonName;
        frame.Groups = new string?[3];
    }

    private void HandlePersonName(ref Utf8JsonReader reader, Frame frame)
    {
        string?[] groups = frame.Groups!;
        if (frame.PendingGroup >= 0)
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
            {
                throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "a person name component group is a string");
            }

            string? group = reader.GetString();
            if (group is not null && group.AsSpan().IndexOfAny('=', '\\') >= 0)
            {
                throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "a person name component group contains '=' or '\\'");
            }

            groups[frame.PendingGroup] = group ?? string.Empty;
            frame.PendingGroup = -1;
            return;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _frames.Pop();

            // PS3.5 6.2.1.1: groups separated by '=', trailing empty groups and their separators left out.
            string name = string.Join('=', groups.Select(g => g ?? string.Empty)).TrimEnd('=');
            frame.Owner!.Values!.Add(new PendingValue(ValueKind.PersonName, frame.Offset, name));
            return;
        }

        int index =
            reader.ValueTextEquals("Alphabetic"u8) ? 0 :
            reader.ValueTextEquals("Ideographic"u8) ? 1 :
            reader.ValueTextEquals("Phonetic"u8) ? 2 :
            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "a person name has only the members Alphabetic, Ideographic and Phonetic (F.2.2)");
        if (groups[index] is not null)
        {
            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "a person name component group appears twice");
        }

        frame.PendingGroup = index;
    }

    private void CompleteTopDataset(DicomDataset dataset)
    {
        if (_nonAscii)
        {
            // The text was encoded as UTF-8 (PS3.5 6.1.2.5: ISO_IR 192).
            dataset.Set(new DicomElement(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192"u8.ToArray()));
        }

        _completed.Enqueue(dataset);
        if (_frames.Peek().Kind == FrameKind.RootObject)
        {
            _frames.Pop();
            _done = true;
        }
    }

    private void CountElement(ref Utf8JsonReader reader)
    {
        if (++_elements > _options.MaxElements)
        {
            throw Error(DicomJsonError.ElementLimitExceeded, Offset(ref reader), $"more than {_options.MaxElements} attributes, values and items");
        }
    }

    private DicomTag ParseTag(ref Utf8JsonReader reader, string what)
    {
        // Eight hex digits (F.2.1.1); an escaped key is unescaped first, anything longer is not a tag.
        Span<char> text = stackalloc char[8];
        int length = reader.ValueIsEscaped || reader.ValueSpan.Length != 8 ? CopyShort(ref reader, text) : CopyAscii(reader.ValueSpan, text);
        if (length != 8 || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value))
        {
            throw Error(DicomJsonError.InvalidTag, Offset(ref reader), $"{what} is not eight hexadecimal digits");
        }

        return new DicomTag(value);
    }

    private static int CopyShort(ref Utf8JsonReader reader, scoped Span<char> destination)
    {
        if (reader.ValueSpan.Length > 64)
        {
            return -1;
        }

        Span<char> scratch = stackalloc char[64];
        int n = reader.CopyString(scratch);
        if (n != destination.Length)
        {
            return -1;
        }

        scratch[..n].CopyTo(destination);
        return n;
    }

    private static int CopyAscii(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            destination[i] = (char)bytes[i];
        }

        return bytes.Length;
    }

    private void Expect(ref Utf8JsonReader reader, JsonTokenType type, string rule)
    {
        if (reader.TokenType != type)
        {
            throw Error(DicomJsonError.UnexpectedToken, Offset(ref reader), $"{rule}; found {Describe(reader.TokenType)}");
        }
    }

    private long Offset(ref Utf8JsonReader reader) => _offset + reader.TokenStartIndex;

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.PropertyName => "a member name",
        JsonTokenType.EndObject => "the end of an object",
        JsonTokenType.EndArray => "the end of an array",
        _ => type.ToString(),
    };
}
