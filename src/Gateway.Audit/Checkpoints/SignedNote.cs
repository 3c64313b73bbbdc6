using System.Buffers.Binary;

namespace Gateway.Audit.Checkpoints;

/// <summary>C2SP signed-note parsing: text ending in newline, a blank line, then signature lines <c>— name base64(keyid || sig)</c>.</summary>
public static class SignedNote
{
    /// <summary>Em dash (U+2014) and a space: the start of every signature line.</summary>
    public const string SignaturePrefix = "\u2014 ";

    /// <summary>Longest note accepted, in characters.</summary>
    public const int MaxNoteLength = 16 * 1024;

    /// <summary>Most signature lines accepted.</summary>
    public const int MaxSignatures = 16;

    /// <summary>
    /// Returns the note text if <paramref name="note"/> carries a valid signature by <paramref name="verifier"/>.
    /// </summary>
    /// <exception cref="FormatException">The note is malformed, has no signature by that key, or that signature does not verify.</exception>
    public static string Open(string note, NoteVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(verifier);
        if (note.Length > MaxNoteLength)
        {
            throw new FormatException("signed note too long");
        }

        int split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n'))
        {
            throw new FormatException("malformed signed note: no blank line before the signatures");
        }

        if (split + 2 == note.Length)
        {
            // The note ends in the blank line: there is no signature line after it.
            throw new FormatException("malformed signed note: no signature after the blank line");
        }

        string text = note[..(split + 1)];
        CheckText(text);
        string[] lines = note[(split + 2)..^1].Split('\n');
        if (lines.Length > MaxSignatures)
        {
            throw new FormatException("signed note has too many signatures");
        }

        bool verified = false;
        foreach (string line in lines)
        {
            if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
            {
                throw new FormatException("malformed signature line in signed note");
            }

            string[] parts = line[SignaturePrefix.Length..].Split(' ');
            if (parts.Length != 2)
            {
                throw new FormatException("malformed signature line in signed note");
            }

            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(parts[1]);
            }
            catch (FormatException ex)
            {
                throw new FormatException("signature in signed note is not base64", ex);
            }

            if (blob.Length < 5)
            {
                throw new FormatException("signature in signed note is too short");
            }

            uint keyId = BinaryPrimitives.ReadUInt32BigEndian(blob);
            if (parts[0] != verifier.Name || keyId != verifier.KeyId)
            {
                // C2SP: signatures by unknown keys are ignored.
                continue;
            }

            if (!verifier.VerifySignature(text, blob[4..]))
            {
                throw new FormatException($"the signature by {verifier.Name} does not verify");
            }

            verified = true;
        }

        return verified ? text : throw new FormatException($"the note carries no signature by {verifier.Name}+{NoteKeys.Hex(verifier.KeyId)}");
    }

    /// <summary>Throws unless <paramref name="text"/> is a valid note text: ends with a newline, no control characters but newline.</summary>
    public static void CheckText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 || !text.EndsWith('\n'))
        {
            throw new FormatException("note text must end with a newline");
        }

        if (text.Any(c => c < ' ' && c != '\n'))
        {
            throw new FormatException("note text contains a control character");
        }
    }
}
