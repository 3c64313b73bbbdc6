using System.Buffers.Binary;
using System.Text;
using Gateway.Audit.Checkpoints;

namespace Gateway.Audit.Storage;

/// <summary>
/// The append-only checkpoint file: frames of <c>4-byte big-endian length | signed note (UTF-8)</c>, oldest first.
/// </summary>
internal static class CheckpointStore
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One stored note: its position (0-based ordinal), offset, and text (null when not valid UTF-8).</summary>
    public readonly record struct StoredNote(int Ordinal, long Offset, string? Text);

    /// <summary>Reads every complete note; <paramref name="validLength"/> is where the last complete frame ends.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="validLength">End of the last complete frame.</param>
    /// <param name="tailProblem">Why the bytes after <paramref name="validLength"/> are not a frame, or null when there are none.</param>
    public static IReadOnlyList<StoredNote> ReadAll(string path, out long validLength, out string? tailProblem) =>
        ReadFrom(path, 0, out validLength, out tailProblem);

    /// <summary>
    /// Reads every complete note from the frame at <paramref name="offset"/> on; <paramref name="validLength"/> is where the
    /// last complete frame ends. Ordinals count from the first note read.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="offset">Where a frame starts (0, or an offset saved with a frontier).</param>
    /// <param name="validLength">End of the last complete frame.</param>
    /// <param name="tailProblem">Why the bytes after <paramref name="validLength"/> are not a frame, or null when there are none.</param>
    public static IReadOnlyList<StoredNote> ReadFrom(string path, long offset, out long validLength, out string? tailProblem)
    {
        var notes = new List<StoredNote>();
        validLength = offset;
        tailProblem = null;
        if (!File.Exists(path))
        {
            return notes;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        long length = stream.Length;
        if (offset > length)
        {
            tailProblem = $"offset {offset} is past the end of the file";
            return notes;
        }

        stream.Position = offset;
        byte[] prefix = new byte[4];
        while (validLength < length)
        {
            if (length - validLength < 4)
            {
                tailProblem = "incomplete checkpoint length";
                break;
            }

            stream.ReadExactly(prefix);
            int noteLength = BinaryPrimitives.ReadInt32BigEndian(prefix);
            if (noteLength is <= 0 or > SignedNote.MaxNoteLength * 3)
            {
                tailProblem = $"checkpoint length {noteLength} out of range";
                break;
            }

            if (length - validLength - 4 < noteLength)
            {
                tailProblem = "incomplete checkpoint";
                break;
            }

            byte[] bytes = new byte[noteLength];
            stream.ReadExactly(bytes);
            string? text;
            try
            {
                text = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                text = null;
            }

            notes.Add(new StoredNote(notes.Count, validLength, text));
            validLength += 4 + noteLength;
        }

        return notes;
    }

    /// <summary>The frame of one note.</summary>
    public static byte[] Frame(string note)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(note);
        byte[] frame = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, bytes.Length);
        bytes.CopyTo(frame, 4);
        return frame;
    }
}
