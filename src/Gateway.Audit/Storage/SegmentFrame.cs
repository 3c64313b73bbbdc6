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
}

/// <summary>One frame as read: where it starts, the leaf bytes and the stored leaf hash.</summary>
internal readonly record struct SegmentFrame(long Offset, byte[] Leaf, byte[] StoredHash, long EndOffset);
