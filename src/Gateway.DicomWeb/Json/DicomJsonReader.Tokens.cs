using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Gateway.Dicom;
using Gateway.Dicom.Model;

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

        /// <summary>Inside an attribute object: vr, Value, InlineBinary, BulkDataURI or its end.</summary>
        Attribute,

        /// <summary>Inside a "Value" array.</summary>
        Values,

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

    /// <summary>One open JSON container, with what the state machine knows about it.</summary>
    private sealed class Frame
    {
        public FrameKind Kind { get; init; }

        /// <summary>Dataset: the data set being filled; Attribute and Values: the data set that will hold the attribute.</summary>
        public DicomDataset? Dataset { get; init; }

        /// <summary>Dataset: its path prefix ("" at the top); Attribute, Values, PersonName: the attribute's path.</summary>
        public string Path { get; init; } = string.Empty;

        /// <summary>Sequence nesting of the data set (0 at the top).</summary>
        public int Depth { get; init; }

        // Dataset: the key just read, whose attribute object comes next.
        public DicomTag? PendingTag { get; set; }

        // Attribute.
        public DicomTag Tag { get; init; }

        public DicomVR VR { get; set; }

        public Member Pending { get; set; }

        public bool HasValue { get; set; }

        // Values: text values (null for an empty one), binary values, or sequence items.
        public List<string?>? Texts { get; init; }

        public ArrayBufferWriter<byte>? Binary { get; init; }

        public DicomSequence? Sequence { get; init; }

        // PersonName: Alphabetic, Ideographic, Phonetic, and which of them the next string is (-1: none).
        public string?[]? Groups { get; init; }

        public int PendingGroup { get; set; } = -1;
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
                _frames.Pop();
                _frames.Push(new Frame { Kind = FrameKind.TopArray });
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
            _frames.Push(new Frame { Kind = FrameKind.Attribute, Dataset = frame.Dataset, Path = DicomWebJsonWriter.ChildPath(frame.Path, tag), Depth = frame.Depth, Tag = tag });
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

        if (frame.Dataset!.Contains(parsed))
        {
            throw new DicomJsonException(DicomJsonError.DuplicateAttribute, Offset(ref reader), DicomWebJsonWriter.ChildPath(frame.Path, parsed), "the attribute appears twice in one data set");
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
                    EndAttribute(ref reader, frame);
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
                _frames.Push(new Frame
                {
                    Kind = FrameKind.Values,
                    Dataset = frame.Dataset,
                    Path = frame.Path,
                    Depth = frame.Depth,
                    Tag = frame.Tag,
                    VR = frame.VR,
                    Texts = frame.VR.Kind == DicomVRKind.Text ? [] : null,
                    Binary = frame.VR.Kind == DicomVRKind.Binary ? new ArrayBufferWriter<byte>() : null,
                    Sequence = frame.VR == DicomVR.SQ ? new DicomSequence(frame.Tag, []) : null,
                });
                break;
            case Member.InlineBinary:
            {
                Expect(ref reader, JsonTokenType.String, "\"InlineBinary\" is a base64 string");
                if (!reader.TryGetBytesFromBase64(out byte[]? bytes))
                {
                    throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "\"InlineBinary\" is not base64");
                }

                AddElement(ref reader, frame, InlineBinaryValue(ref reader, frame.VR, bytes));
                break;
            }

            case Member.BulkDataUri:
            {
                Expect(ref reader, JsonTokenType.String, "\"BulkDataURI\" is a string");
                string uri = reader.GetString()!;
                AddElement(ref reader, frame, []);
                _bulkData?.Add(new DicomJsonBulkData(frame.Dataset!, frame.Path, frame.Tag, frame.VR, uri));
                break;
            }
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

        if (frame.VR.IsNone)
        {
            throw Error(DicomJsonError.InvalidVR, Offset(ref reader), "\"vr\" must come before the value");
        }

        if (frame.HasValue)
        {
            throw Error(DicomJsonError.InvalidMember, Offset(ref reader), "an attribute has at most one of Value, InlineBinary and BulkDataURI");
        }

        bool bulk = DicomWebJsonWriter.IsBulkVR(frame.VR);
        if ((member == Member.Value && bulk) || (member == Member.InlineBinary && !bulk) || (member == Member.BulkDataUri && frame.VR == DicomVR.SQ))
        {
            // F.2.3: OB, OD, OF, OL, OV, OW and UN carry InlineBinary or BulkDataURI; the other VRs Value (or BulkDataURI).
            throw Error(DicomJsonError.InvalidMember, Offset(ref reader), $"{MemberName(member)} is not allowed for VR {frame.VR}");
        }

        frame.HasValue = true;
        return member;
    }

    private void EndAttribute(ref Utf8JsonReader reader, Frame frame)
    {
        if (frame.VR.IsNone)
        {
            throw Error(DicomJsonError.InvalidVR, Offset(ref reader), "the attribute has no \"vr\"");
        }

        if (!frame.HasValue)
        {
            // F.2.5: an attribute without a value (zero length).
            if (frame.VR == DicomVR.SQ)
            {
                frame.Dataset!.Set(new DicomSequence(frame.Tag, []));
            }
            else
            {
                AddElement(ref reader, frame, []);
            }
        }

        _frames.Pop();
    }

    private void HandleValue(ref Utf8JsonReader reader, Frame frame)
    {
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            _frames.Pop();
            if (frame.Sequence is { } sequence)
            {
                frame.Dataset!.Set(sequence);
            }
            else
            {
                AddElement(ref reader, frame, frame.Binary is { } binary ? binary.WrittenSpan.ToArray() : EncodeText(ref reader, frame));
            }

            return;
        }

        CountElement(ref reader);
        if (frame.Sequence is { } items)
        {
            Expect(ref reader, JsonTokenType.StartObject, "a sequence item is a data set object");
            if (frame.Depth + 1 > _options.MaxDepth)
            {
                throw Error(DicomJsonError.DepthLimitExceeded, Offset(ref reader), $"sequences nested deeper than {_options.MaxDepth}");
            }

            var item = new DicomDataset(frame.Dataset);
            string path = DicomWebJsonWriter.ItemPath(frame.Path, items.Items.Count);
            items.Add(item);
            _frames.Push(new Frame { Kind = FrameKind.Dataset, Dataset = item, Path = path, Depth = frame.Depth + 1 });
            return;
        }

        if (frame.VR == DicomVR.PN && reader.TokenType == JsonTokenType.StartObject)
        {
            _frames.Push(new Frame { Kind = FrameKind.PersonName, Path = frame.Path, Groups = new string?[3] });
            return;
        }

        if (frame.Binary is { } bytes)
        {
            AppendBinary(ref reader, frame.VR, bytes);
        }
        else
        {
            frame.Texts!.Add(TextValue(ref reader, frame.VR));
        }
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

            _nonAscii |= group is not null && !System.Text.Ascii.IsValid(group);
            groups[frame.PendingGroup] = group ?? string.Empty;
            frame.PendingGroup = -1;
            return;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _frames.Pop();

            // PS3.5 6.2.1.1: groups separated by '=', trailing empty groups and their separators left out.
            string name = string.Join('=', groups.Select(g => g ?? string.Empty)).TrimEnd('=');
            _frames.Peek().Texts!.Add(name.Length == 0 ? null : name);
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

    private void AddElement(ref Utf8JsonReader reader, Frame frame, byte[] value)
    {
        if (frame.Tag == DicomTags.SpecificCharacterSet && frame.Depth > 0)
        {
            // Every text value read here is UTF-8, whatever an item declared.
            return;
        }

        if (frame.VR == DicomVR.SQ)
        {
            throw Error(DicomJsonError.InvalidValue, Offset(ref reader), "a sequence has items, not a value");
        }

        frame.Dataset!.Set(new DicomElement(frame.Tag, frame.VR, value));
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

    private static string MemberName(Member member) => member switch
    {
        Member.Value => "\"Value\"",
        Member.InlineBinary => "\"InlineBinary\"",
        Member.BulkDataUri => "\"BulkDataURI\"",
        _ => "\"vr\"",
    };
}
