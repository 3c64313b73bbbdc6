namespace Gateway.Archive.Crypto;

/// <summary>
/// The encrypted object file, format versions 1 and 2. All integers big endian. New objects are written in version 2;
/// version 1 objects stay readable.
/// </summary>
/// <remarks>
/// <code>
/// header, in the clear:
///   0  4  magic "GWAO"
///   4  1  format version (1 or 2)
///   5  1  flags (0; anything else is refused)
///   6  2  header length (40 in version 1, 80 in version 2; any other value for the version is refused)
///   8  4  chunk size C: plaintext bytes per chunk (4 KiB .. 4 MiB; 64 KiB by default)
///  12  4  key-encryption key version that wrapped the data key when the object was written
///  16  8  nonce prefix (random per object)
///  24 16  object id (random; also the file name, and recorded in the index)
///  40 40  version 2 only: the data key wrapped (AES key wrap, RFC 3394) under the key-encryption key of bytes 12-15
/// chunks, each: ciphertext (C bytes, the final one 0 .. C-1 bytes) then the 16-byte GCM tag
/// </code>
/// Chunk i is AES-256-GCM under the object's own data key with nonce = nonce prefix || i (u32), and
/// AAD = header bytes 0-39 || u16 length || SOP Instance UID (ASCII) || i (u64) || final flag (u8, 1 on the last chunk).
/// The AAD holds the first 40 header bytes in both versions (so in version 2 it covers the version byte 2 and the
/// header length 80) and never the wrapped key: the wrapped key is authenticated by the key wrap's own integrity check,
/// and swapping it for another object's fails every chunk's tag.
/// The final chunk is always shorter than C (an object whose length is a multiple of C ends with an empty final chunk),
/// so a file cut at a chunk boundary lacks its final chunk and fails; a cut inside a chunk fails its tag; a chunk moved
/// elsewhere fails its index; a file of another instance fails its UID (and its data key).
/// The index row also holds the data key, wrapped under the current key-encryption key (a rotation re-wraps the rows,
/// never the files). A version 1 object has only that copy; a version 2 object carries its own, under the version at
/// creation, so that the index can be rebuilt from the objects (with the rewrap journal once that version is retired).
/// </remarks>
internal static class ObjectFormat
{
    /// <summary>The length of a version 1 header, and of the header bytes every chunk's AAD holds.</summary>
    public const int HeaderLength = 40;

    /// <summary>The length of a version 2 header: the version 1 fields, then the wrapped data key.</summary>
    public const int HeaderLengthV2 = HeaderLength + WrappedKeyLength;

    /// <summary>The longest header of any version (what a reader reads before it knows the version).</summary>
    public const int MaxHeaderLength = HeaderLengthV2;

    /// <summary>The bytes that say which version a header is: magic, version, flags, header length.</summary>
    public const int PrefixLength = 8;

    public const byte Version1 = 1;
    public const byte Version2 = 2;

    /// <summary>The version new objects are written in.</summary>
    public const byte Version = Version2;

    /// <summary>A 256-bit data key wrapped with RFC 3394: the key and the 8-byte integrity block.</summary>
    public const int WrappedKeyLength = DataKeyLength + 8;
    public const int TagLength = 16;
    public const int NonceLength = 12;
    public const int NoncePrefixLength = 8;
    public const int ObjectIdLength = 16;
    public const int DataKeyLength = 32;
    public const int DefaultChunkSize = 64 * 1024;
    public const int MinChunkSize = 4 * 1024;
    public const int MaxChunkSize = 4 * 1024 * 1024;

    /// <summary>The first four bytes of every object file.</summary>
    public static ReadOnlySpan<byte> Magic => "GWAO"u8;

    /// <summary>The file name of an object (lowercase hex of its id) without directory or extension.</summary>
    public static string NameOf(ReadOnlySpan<byte> objectId) => Convert.ToHexStringLower(objectId);
}
