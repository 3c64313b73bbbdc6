namespace Gateway.Archive.Crypto;

/// <summary>
/// The encrypted object file, format version 1. All integers big endian.
/// </summary>
/// <remarks>
/// <code>
/// header (40 bytes, in the clear, authenticated as part of every chunk's AAD):
///   0  4  magic "GWAO"
///   4  1  format version (1)
///   5  1  flags (0; anything else is refused)
///   6  2  header length (40)
///   8  4  chunk size C: plaintext bytes per chunk (4 KiB .. 4 MiB; 64 KiB by default)
///  12  4  key-encryption key version that wrapped the data key when the object was written (informative after a rotation)
///  16  8  nonce prefix (random per object)
///  24 16  object id (random; also the file name, and recorded in the index)
/// chunks, each: ciphertext (C bytes, the final one 0 .. C-1 bytes) then the 16-byte GCM tag
/// </code>
/// Chunk i is AES-256-GCM under the object's own data key with nonce = nonce prefix || i (u32), and
/// AAD = header || u16 length || SOP Instance UID (ASCII) || i (u64) || final flag (u8, 1 on the last chunk).
/// The final chunk is always shorter than C (an object whose length is a multiple of C ends with an empty final chunk),
/// so a file cut at a chunk boundary lacks its final chunk and fails; a cut inside a chunk fails its tag; a chunk moved
/// elsewhere fails its index; a file of another instance fails its UID (and its data key).
/// The data key itself is not in the file: it is wrapped (RFC 3394) under a key-encryption key and kept in the index,
/// so that a key rotation re-wraps it there without touching the file.
/// </remarks>
internal static class ObjectFormat
{
    public const int HeaderLength = 40;
    public const byte Version = 1;
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
