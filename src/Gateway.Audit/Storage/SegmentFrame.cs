namespace Gateway.Audit.Storage;

/// <summary>What reading the next frame of a segment found.</summary>
internal enum SegmentFrameStatus
{
    /// <summary>A complete frame (its hash not yet checked).</summary>
    Complete,

    /// <summary>The end of the segment, exactly at a frame boundary.</summary>
    End,

    /// <summary>The segment ends inside a frame: a torn write, or truncation.</summary>
    Incomplete,

    /// <summary>The frame's length field is out of bounds.</summary>
    BadLength,

    /// <summary>
    /// A length field of zero: where the records end and the zero-filled space the writer keeps ahead of them starts.
    /// Valid only in the last segment, and only when every byte after it is zero (the reader does not check that).
    /// </summary>
    Padding,
}

/// <summary>One frame as read: where it starts, the leaf bytes and the stored leaf hash.</summary>
internal readonly record struct SegmentFrame(long Offset, byte[] Leaf, byte[] StoredHash, long EndOffset);
