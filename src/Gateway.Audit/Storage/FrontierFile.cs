using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Audit.Storage;

/// <summary>
/// <c>checkpoints/frontier</c>: two fixed slots of <see cref="SlotSize"/> bytes, written in turn (the one not holding the
/// newest frontier), each followed by an fdatasync, so that a torn write leaves the other slot intact.
/// </summary>
/// <remarks>
/// Slot layout (big-endian): <c>"GWAUDFRT"</c> | u16 version 1 | u16 0 | u32 0 | u64 size | u64 checkpoint offset |
/// u64 segment first index | u64 record offset | u32 record frame length | u8 n | u8 p | 32 last leaf hash |
/// n×32 frontier nodes | p×32 inclusion proof | zeros | SHA-256 of the slot's first <c>SlotSize - 32</c> bytes.
/// The checksum only tells a torn slot from a whole one; trust comes from the signed checkpoint the frontier is checked
/// against when the log is opened.
/// </remarks>
internal static class FrontierFile
{
    public const int SlotSize = 8192;
    private const int HeaderSize = 54;
    private const int MaxHashes = 64;
    private static ReadOnlySpan<byte> Magic => "GWAUDFRT"u8;

    /// <summary>Encodes <paramref name="frontier"/> as one slot.</summary>
    public static byte[] Encode(Frontier frontier)
    {
        ArgumentNullException.ThrowIfNull(frontier);
        if (frontier.Nodes.Count > MaxHashes || frontier.LastLeafProof.Count > MaxHashes)
        {
            throw new ArgumentException("a frontier has at most 64 nodes and proof hashes", nameof(frontier));
        }

        byte[] slot = new byte[SlotSize];
        Span<byte> s = slot;
        Magic.CopyTo(s);
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], 1);
        BinaryPrimitives.WriteInt64BigEndian(s[16..], frontier.Size);
        BinaryPrimitives.WriteInt64BigEndian(s[24..], frontier.CheckpointOffset);
        BinaryPrimitives.WriteInt64BigEndian(s[32..], frontier.SegmentFirstIndex);
        BinaryPrimitives.WriteInt64BigEndian(s[40..], frontier.RecordOffset);
        BinaryPrimitives.WriteInt32BigEndian(s[48..], frontier.RecordLength);
        s[52] = (byte)frontier.Nodes.Count;
        s[53] = (byte)frontier.LastLeafProof.Count;
        int at = HeaderSize;
        foreach (byte[] hash in (byte[][])[frontier.LastLeafHash, .. frontier.Nodes, .. frontier.LastLeafProof])
        {
            hash.CopyTo(s[at..]);
            at += 32;
        }

        SHA256.HashData(s[..(SlotSize - 32)], s[(SlotSize - 32)..]);
        return slot;
    }

    /// <summary>Decodes one slot; null with the reason when it is not a whole, well-formed slot.</summary>
    /// <param name="slot">The slot's bytes.</param>
    /// <param name="error">Why it is not a frontier.</param>
    /// <param name="whole">Whether its checksum matched: a whole slot that is still not a frontier was written that way.</param>
    public static Frontier? Decode(ReadOnlySpan<byte> slot, out string? error, out bool whole)
    {
        error = null;
        whole = false;
        if (slot.Length != SlotSize)
        {
            error = "short slot";
            return null;
        }

        Span<byte> checksum = stackalloc byte[32];
        SHA256.HashData(slot[..(SlotSize - 32)], checksum);
        if (!checksum.SequenceEqual(slot[(SlotSize - 32)..]))
        {
            error = "checksum does not match (torn or never written)";
            return null;
        }

        whole = true;

        if (!slot[..8].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt16BigEndian(slot[8..]) != 1)
        {
            error = "not a version 1 frontier";
            return null;
        }

        long size = BinaryPrimitives.ReadInt64BigEndian(slot[16..]);
        long checkpointOffset = BinaryPrimitives.ReadInt64BigEndian(slot[24..]);
        long segment = BinaryPrimitives.ReadInt64BigEndian(slot[32..]);
        long recordOffset = BinaryPrimitives.ReadInt64BigEndian(slot[40..]);
        int recordLength = BinaryPrimitives.ReadInt32BigEndian(slot[48..]);
        int nodes = slot[52];
        int proof = slot[53];
        if (size < 1 || checkpointOffset < 0 || segment < 0 || segment >= size || recordOffset < SegmentFormat.HeaderSize
            || recordLength < SegmentFormat.FrameOverhead + AuditLeaf.MinLength || recordLength > SegmentFormat.FrameOverhead + AuditLeaf.MaxLength
            || nodes > MaxHashes || proof > MaxHashes || nodes != System.Numerics.BitOperations.PopCount((ulong)size))
        {
            error = "fields out of range";
            return null;
        }

        var hashes = new byte[1 + nodes + proof][];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = slot.Slice(HeaderSize + (i * 32), 32).ToArray();
        }

        return new Frontier(size, checkpointOffset, segment, recordOffset, recordLength, hashes[0], hashes[1..(1 + nodes)], hashes[(1 + nodes)..]);
    }

    /// <summary>The newest whole frontier in <paramref name="path"/> and its slot; null when there is none.</summary>
    /// <param name="path">The frontier file.</param>
    /// <param name="slot">The slot it was read from (the next write goes to the other one).</param>
    /// <param name="problem">Why no frontier could be read from a file that exists, or null.</param>
    public static Frontier? Read(string path, out int slot, out string? problem)
    {
        slot = 1;
        problem = null;
        if (!File.Exists(path))
        {
            return null;
        }

        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (RandomAccess.GetLength(file) > 2 * SlotSize)
        {
            problem = "the frontier file is longer than two slots";
            return null;
        }

        Frontier? best = null;
        bool anyWritten = false;
        var errors = new List<string>();
        var malformed = new List<string>();
        byte[] buffer = new byte[SlotSize];
        for (int i = 0; i < 2; i++)
        {
            int read = RandomAccess.Read(file, buffer, (long)i * SlotSize);
            anyWritten |= read == SlotSize;
            string? error = "not written";
            bool whole = false;
            Frontier? candidate = read == SlotSize ? Decode(buffer, out error, out whole) : null;
            if (candidate is null)
            {
                errors.Add($"slot {i}: {error}");
                if (whole)
                {
                    malformed.Add($"slot {i} of the frontier file has a valid checksum but is malformed ({error})");
                }

                continue;
            }

            if (best is null || candidate.Size > best.Size)
            {
                best = candidate;
                slot = i;
            }
        }

        // A file created but never given a whole slot (no checkpoint yet, or copied before the first) is no frontier, as
        // if it were absent: the frontier only saves reading; nothing is lost or hidden without it.
        if (best is null && anyWritten)
        {
            problem = "no whole frontier in the frontier file (" + string.Join("; ", errors) + ")";
        }
        else if (malformed.Count > 0)
        {
            // A torn slot is expected after a crash; a whole one that makes no sense was written by someone else.
            problem = string.Join("; ", malformed);
        }

        return best;
    }

    /// <summary>Writes <paramref name="frontier"/> into <paramref name="slot"/> of the open file and makes it durable.</summary>
    public static void Write(SafeFileHandle file, int slot, Frontier frontier)
    {
        RandomAccess.Write(file, Encode(frontier), (long)slot * SlotSize);
        FileSync.FlushData(file);
    }
}
