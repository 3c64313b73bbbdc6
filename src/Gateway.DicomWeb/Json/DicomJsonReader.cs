using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Dicom.Model;

namespace Gateway.DicomWeb.Json;

/// <summary>
/// Reads the DICOM JSON Model (PS3.18 Annex F) into <see cref="DicomDataset"/>s: one data set (an object) or a response
/// of several (an array), streamed from a <see cref="Stream"/> through <see cref="Utf8JsonReader"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The input is read in chunks; only one token at a time must fit in memory (<see cref="DicomJsonReaderOptions.MaxTokenBytes"/>),
/// and every limit of <see cref="DicomJsonReaderOptions"/> is checked as bytes arrive. Nesting lives on an explicit stack.</item>
/// <item>Strict where the standard is: keys are eight hex digits, "vr" is required, members other than vr, Value,
/// InlineBinary and BulkDataURI are refused, as are repeated attributes, values that do not fit their VR and data after
/// the document. Members may come in any order: Orthanc writes "Value" before "vr", so values are collected as read and
/// converted when the attribute object ends.</item>
/// <item>Lenient where it is harmless: IS and DS as strings, a PN value as a plain string (its Alphabetic group), lower-case
/// hex keys, and two Orthanc habits: OD, OF, OL and OV as "Value" numbers, and LT, ST, UT or UR split at '' into several
/// values (joined back).</item>
/// <item>Text is stored as UTF-8: when any value is not ASCII, the top-level Specific Character Set becomes "ISO_IR 192";
/// a Specific Character Set inside a sequence item is dropped, since its item's text is UTF-8 too.</item>
/// <item>An attribute with "BulkDataURI" is stored with an empty value and reported to the caller's list of <see cref="DicomJsonBulkData"/>.</item>
/// </list>
/// Every failure is one <see cref="DicomJsonException"/> with the reason, the byte offset and the attribute path; messages
/// never quote values.
/// </remarks>
public sealed partial class DicomJsonReader
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly DicomJsonReaderOptions _options;
    private readonly ICollection<DicomJsonBulkData>? _bulkData;
    private readonly Stack<Frame> _frames = new();
    private readonly Queue<DicomDataset> _completed = new();
    private JsonReaderState _state;

    // Invariant: _offset is the absolute offset of the first byte of the span handed to Process.
    private long _offset;
    private long _elements;
    private int _datasets;
    private bool _done;

    private DicomJsonReader(DicomJsonReaderOptions? options, ICollection<DicomJsonBulkData>? bulkData, bool array)
    {
        _options = options ?? DicomJsonReaderOptions.Default;
        _bulkData = bulkData;
        _state = new JsonReaderState(new JsonReaderOptions
        {
            // Three JSON levels per sequence level, plus the top array, the data set, the attribute and a PN object.
            MaxDepth = (3 * Math.Max(1, _options.MaxDepth)) + 8,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        _frames.Push(new Frame { Kind = array ? FrameKind.RootArray : FrameKind.RootObject });
    }

    /// <summary>Reads one data set (a JSON object) from <paramref name="stream"/>.</summary>
    /// <param name="stream">The UTF-8 JSON input; read to its end.</param>
    /// <param name="options">Limits; <see cref="DicomJsonReaderOptions.Default"/> when null.</param>
    /// <param name="bulkData">Receives the attributes that carried a BulkDataURI; null to ignore them (their values stay empty).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="DicomJsonException">The input is malformed, not DICOM JSON, or over a limit.</exception>
    public static async ValueTask<DicomDataset> ReadDatasetAsync(
        Stream stream,
        DicomJsonReaderOptions? options = null,
        ICollection<DicomJsonBulkData>? bulkData = null,
        CancellationToken cancellationToken = default)
    {
        var reader = new DicomJsonReader(options, bulkData, array: false);
        DicomDataset? result = null;
        await foreach (DicomDataset dataset in reader.RunAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            result = dataset;
        }

        return result!;
    }

    /// <summary>
    /// Reads a JSON array of data sets (a QIDO-RS or WADO-RS metadata response) from <paramref name="stream"/>, yielding each
    /// as soon as it is complete.
    /// </summary>
    /// <exception cref="DicomJsonException">The input is malformed, not DICOM JSON, or over a limit (raised when reached).</exception>
    public static async IAsyncEnumerable<DicomDataset> ReadDatasetsAsync(
        Stream stream,
        DicomJsonReaderOptions? options = null,
        ICollection<DicomJsonBulkData>? bulkData = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = new DicomJsonReader(options, bulkData, array: true);
        await foreach (DicomDataset dataset in reader.RunAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            yield return dataset;
        }
    }

    /// <summary>Reads one data set from UTF-8 JSON held in memory.</summary>
    /// <exception cref="DicomJsonException">The input is malformed, not DICOM JSON, or over a limit.</exception>
    public static DicomDataset Parse(ReadOnlySpan<byte> utf8Json, DicomJsonReaderOptions? options = null, ICollection<DicomJsonBulkData>? bulkData = null)
    {
        var reader = new DicomJsonReader(options, bulkData, array: false);
        if (utf8Json.Length > reader._options.MaxDocumentBytes)
        {
            throw reader.Error(DicomJsonError.SizeLimitExceeded, reader._options.MaxDocumentBytes, $"the document is over the limit of {reader._options.MaxDocumentBytes} bytes");
        }

        int consumed = reader.Process(utf8Json);
        reader.Finish(utf8Json[consumed..], endOfInput: true);
        return reader._completed.Dequeue();
    }

    /// <summary>Reads one data set from a JSON string.</summary>
    /// <exception cref="DicomJsonException">The input is malformed, not DICOM JSON, or over a limit.</exception>
    public static DicomDataset Parse(string json, DicomJsonReaderOptions? options = null, ICollection<DicomJsonBulkData>? bulkData = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json), options, bulkData);
    }

    private async IAsyncEnumerable<DicomDataset> RunAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // The buffer holds at most one token beyond what was consumed, plus one read's worth of slack.
        int maxBuffer = (int)Math.Min(Array.MaxLength, (long)_options.MaxTokenBytes + InitialBufferSize);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        int start = 0;
        int end = 0;
        long total = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    else if (buffer.Length >= maxBuffer)
                    {
                        throw Error(DicomJsonError.ValueTooLong, _offset, $"a JSON token is over the limit of {_options.MaxTokenBytes} bytes");
                    }
                    else
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBuffer));
                        buffer.AsSpan(0, end).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                int n = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                total += n;
                if (total > _options.MaxDocumentBytes)
                {
                    throw Error(DicomJsonError.SizeLimitExceeded, _options.MaxDocumentBytes, $"the document is over the limit of {_options.MaxDocumentBytes} bytes");
                }

                end += n;
                if (!_done)
                {
                    int consumed = Process(buffer.AsSpan(start, end - start));
                    start += consumed;
                    _offset += consumed;
                }

                while (_completed.TryDequeue(out DicomDataset? dataset))
                {
                    yield return dataset;
                }

                if (_done || n == 0)
                {
                    // After the document only white space may follow; its bytes are dropped as they are checked.
                    Finish(buffer.AsSpan(start, end - start), endOfInput: n == 0);
                    _offset += end - start;
                    start = end = 0;
                    if (n == 0)
                    {
                        yield break;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Handles every whole token of <paramref name="data"/>; returns the bytes consumed.</summary>
    private int Process(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock: false, _state);
        try
        {
            while (!_done && reader.Read())
            {
                Handle(ref reader);
            }
        }
        catch (JsonException ex)
        {
            // The JSON reader's own message can quote the offending character: only its position is kept (no PHI in errors).
            throw Error(DicomJsonError.MalformedJson, _offset + reader.BytesConsumed, $"not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1} of the line)");
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader reports a string that is not valid UTF-8, or a number it cannot read, this way.
            throw Error(DicomJsonError.MalformedJson, _offset + reader.TokenStartIndex, "not valid JSON: a string is not valid UTF-8 or a number cannot be read");
        }

        _state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    /// <summary>Checks what is left after the last whole token: white space only once the document is done, else truncation at the end of input.</summary>
    private void Finish(ReadOnlySpan<byte> rest, bool endOfInput)
    {
        if (_done)
        {
            int garbage = rest.IndexOfAnyExcept(" \t\r\n"u8);
            if (garbage >= 0)
            {
                throw Error(DicomJsonError.MalformedJson, _offset + garbage, "data after the end of the document");
            }

            return;
        }

        if (endOfInput)
        {
            throw Error(DicomJsonError.Truncated, _offset + rest.Length, _frames.Peek().Kind is FrameKind.RootObject or FrameKind.RootArray && rest.Trim(" \t\r\n"u8).IsEmpty
                ? "the input is empty"
                : "the input ends inside the document");
        }
    }

    private DicomJsonException Error(DicomJsonError reason, long offset, string detail)
    {
        string? path = _frames.Count > 0 && _frames.Peek().Path.Length > 0 ? _frames.Peek().Path : null;
        return new DicomJsonException(reason, offset, path, detail);
    }
}
