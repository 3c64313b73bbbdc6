using System.Buffers.Binary;

namespace Gateway.Archive.Crypto;

/// <summary>The clear header of an encrypted object (<see cref="ObjectFormat"/>), version 1 or 2.</summary>
internal sealed class ObjectHeader
{
    /// <param name="chunkSize">Plaintext bytes per chunk.</param>
    /// <param name="creationKekVersion">The key-encryption key version the data key is wrapped under at creation.</param>
    /// <param name="noncePrefix">The object's random nonce prefix.</param>
    /// <param name="objectId">The object's random id.</param>
    /// <param name="wrappedKey">The data key wrapped under <paramref name="creationKekVersion"/>: a version 2 header; null: version 1.</param>
    public ObjectHeader(int chunkSize, int creationKekVersion, byte[] noncePrefix, byte[] objectId, byte[]? wrappedKey = null)
    {
        if (chunkSize is < ObjectFormat.MinChunkSize or > ObjectFormat.MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize));
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(noncePrefix.Length, ObjectFormat.NoncePrefixLength, nameof(noncePrefix));
        ArgumentOutOfRangeException.ThrowIfNotEqual(objectId.Length, ObjectFormat.ObjectIdLength, nameof(objectId));
        if (wrappedKey is not null)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(wrappedKey.Length, ObjectFormat.WrappedKeyLength, nameof(wrappedKey));
        }

        ChunkSize = chunkSize;
        CreationKekVersion = creationKekVersion;
        NoncePrefix = noncePrefix;
        ObjectId = objectId;
        WrappedKey = wrappedKey;
    }

    /// <summary>The format version: 2 when the header carries the wrapped data key, else 1.</summary>
    public byte Version => WrappedKey is null ? ObjectFormat.Version1 : ObjectFormat.Version2;

    /// <summary>The header's length on disk.</summary>
    public int Length => WrappedKey is null ? ObjectFormat.HeaderLength : ObjectFormat.HeaderLengthV2;

    public int ChunkSize { get; }

    public int CreationKekVersion { get; }

    public byte[] NoncePrefix { get; }

    public byte[] ObjectId { get; }

    /// <summary>The data key wrapped under <see cref="CreationKekVersion"/> (version 2); null in a version 1 header.</summary>
    public byte[]? WrappedKey { get; }

    /// <summary>The length of one full chunk on disk: ciphertext and tag.</summary>
    public int RecordLength => ChunkSize + ObjectFormat.TagLength;

    /// <summary>
    /// Checks the first <see cref="ObjectFormat.PrefixLength"/> bytes (magic, version, flags, header length) and returns
    /// the length of the whole header, before anything is read or sized from it.
    /// </summary>
    /// <exception cref="ArchiveIntegrityException">Not an archive object, an unknown version, or a header length that is not the version's.</exception>
    public static int LengthOf(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < ObjectFormat.PrefixLength || !prefix[..4].SequenceEqual(ObjectFormat.Magic))
        {
            throw new ArchiveIntegrityException("not an archive object (bad magic or short header)");
        }

        int expected = prefix[4] switch
        {
            ObjectFormat.Version1 => ObjectFormat.HeaderLength,
            ObjectFormat.Version2 => ObjectFormat.HeaderLengthV2,
            _ => 0,
        };
        if (expected == 0 || prefix[5] != 0)
        {
            throw new ArchiveIntegrityException($"unsupported archive object format version {prefix[4]} (flags {prefix[5]})");
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(prefix[6..]) != expected)
        {
            throw new ArchiveIntegrityException("archive object header length is wrong");
        }

        return expected;
    }

    /// <summary>Parses a header of either version, refusing anything this version does not write.</summary>
    /// <param name="bytes">The header: at least as long as its version's header length (further bytes are ignored).</param>
    /// <exception cref="ArchiveIntegrityException">The bytes are not a version 1 or 2 header, or are cut short.</exception>
    public static ObjectHeader Parse(ReadOnlySpan<byte> bytes)
    {
        int length = LengthOf(bytes);
        if (bytes.Length < length)
        {
            throw new ArchiveIntegrityException("archive object header is truncated");
        }

        uint chunkSize = BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]);
        if (chunkSize is < ObjectFormat.MinChunkSize or > ObjectFormat.MaxChunkSize)
        {
            // Checked before anything is sized from it.
            throw new ArchiveIntegrityException($"archive object chunk size {chunkSize} is out of range");
        }

        uint kekVersion = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
        if (kekVersion is 0 or > int.MaxValue)
        {
            throw new ArchiveIntegrityException("archive object key version is out of range");
        }

        byte[]? wrapped = length == ObjectFormat.HeaderLengthV2 ? bytes.Slice(ObjectFormat.HeaderLength, ObjectFormat.WrappedKeyLength).ToArray() : null;
        return new ObjectHeader((int)chunkSize, (int)kekVersion, bytes.Slice(16, 8).ToArray(), bytes.Slice(24, 16).ToArray(), wrapped);
    }

    /// <summary>Reads and parses the header at the start of <paramref name="file"/>, leaving it at the first chunk.</summary>
    /// <exception cref="ArchiveIntegrityException">The header is malformed or the file ends inside it.</exception>
    public static async Task<ObjectHeader> ReadAsync(Stream file, CancellationToken cancellationToken)
    {
        byte[] bytes = new byte[ObjectFormat.MaxHeaderLength];
        int n = await file.ReadAtLeastAsync(bytes.AsMemory(0, ObjectFormat.PrefixLength), ObjectFormat.PrefixLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (n < ObjectFormat.PrefixLength)
        {
            throw new ArchiveIntegrityException("not an archive object (bad magic or short header)");
        }

        int length = LengthOf(bytes);
        int rest = length - n;
        if (rest > 0)
        {
            n += await file.ReadAtLeastAsync(bytes.AsMemory(n, rest), rest, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }

        return Parse(bytes.AsSpan(0, n));
    }

    /// <summary>Writes the <see cref="Length"/> header bytes.</summary>
    public void Write(Span<byte> destination)
    {
        WriteAuthenticated(destination);
        WrappedKey?.CopyTo(destination[ObjectFormat.HeaderLength..]);
    }

    /// <summary>
    /// Builds the AAD prefix shared by every chunk (header bytes 0-39, UID) with room for the chunk index and final flag, which
    /// <see cref="SetChunk"/> fills in.
    /// </summary>
    public byte[] CreateAad(string sopInstanceUid)
    {
        int uidLength = System.Text.Encoding.ASCII.GetByteCount(sopInstanceUid);
        byte[] aad = new byte[ObjectFormat.HeaderLength + 2 + uidLength + 8 + 1];
        WriteAuthenticated(aad);
        BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(ObjectFormat.HeaderLength), (ushort)uidLength);
        System.Text.Encoding.ASCII.GetBytes(sopInstanceUid, aad.AsSpan(ObjectFormat.HeaderLength + 2));
        return aad;
    }

    /// <summary>Sets the chunk index and final flag at the end of an AAD from <see cref="CreateAad"/>.</summary>
    public static void SetChunk(byte[] aad, long index, bool final)
    {
        BinaryPrimitives.WriteUInt64BigEndian(aad.AsSpan(aad.Length - 9), (ulong)index);
        aad[^1] = final ? (byte)1 : (byte)0;
    }

    // The first 40 bytes: the whole header in version 1; in version 2 everything but the wrapped key.
    private void WriteAuthenticated(Span<byte> destination)
    {
        ObjectFormat.Magic.CopyTo(destination);
        destination[4] = Version;
        destination[5] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)ChunkSize);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], (uint)CreationKekVersion);
        NoncePrefix.CopyTo(destination[16..]);
        ObjectId.CopyTo(destination[24..]);
    }

    /// <summary>Sets the nonce for chunk <paramref name="index"/>: the object's prefix, then the index.</summary>
    public void SetNonce(Span<byte> nonce, long index)
    {
        if (index > uint.MaxValue)
        {
            throw new ArchiveIntegrityException("archive object has too many chunks");
        }

        NoncePrefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[ObjectFormat.NoncePrefixLength..], (uint)index);
    }
}
