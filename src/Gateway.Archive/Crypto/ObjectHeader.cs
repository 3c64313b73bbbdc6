using System.Buffers.Binary;

namespace Gateway.Archive.Crypto;

/// <summary>The clear header of an encrypted object (<see cref="ObjectFormat"/>).</summary>
internal sealed class ObjectHeader
{
    public ObjectHeader(int chunkSize, int creationKekVersion, byte[] noncePrefix, byte[] objectId)
    {
        if (chunkSize is < ObjectFormat.MinChunkSize or > ObjectFormat.MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize));
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(noncePrefix.Length, ObjectFormat.NoncePrefixLength, nameof(noncePrefix));
        ArgumentOutOfRangeException.ThrowIfNotEqual(objectId.Length, ObjectFormat.ObjectIdLength, nameof(objectId));
        ChunkSize = chunkSize;
        CreationKekVersion = creationKekVersion;
        NoncePrefix = noncePrefix;
        ObjectId = objectId;
    }

    public int ChunkSize { get; }

    public int CreationKekVersion { get; }

    public byte[] NoncePrefix { get; }

    public byte[] ObjectId { get; }

    /// <summary>The length of one full chunk on disk: ciphertext and tag.</summary>
    public int RecordLength => ChunkSize + ObjectFormat.TagLength;

    /// <summary>Parses a header, refusing anything this version does not write.</summary>
    /// <exception cref="ArchiveIntegrityException">The bytes are not a version 1 header.</exception>
    public static ObjectHeader Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < ObjectFormat.HeaderLength || !bytes[..4].SequenceEqual(ObjectFormat.Magic))
        {
            throw new ArchiveIntegrityException("not an archive object (bad magic or short header)");
        }

        if (bytes[4] != ObjectFormat.Version || bytes[5] != 0)
        {
            throw new ArchiveIntegrityException($"unsupported archive object format version {bytes[4]} (flags {bytes[5]})");
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]) != ObjectFormat.HeaderLength)
        {
            throw new ArchiveIntegrityException("archive object header length is wrong");
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

        return new ObjectHeader((int)chunkSize, (int)kekVersion, bytes.Slice(16, 8).ToArray(), bytes.Slice(24, 16).ToArray());
    }

    /// <summary>Writes the 40 header bytes.</summary>
    public void Write(Span<byte> destination)
    {
        ObjectFormat.Magic.CopyTo(destination);
        destination[4] = ObjectFormat.Version;
        destination[5] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], ObjectFormat.HeaderLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)ChunkSize);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], (uint)CreationKekVersion);
        NoncePrefix.CopyTo(destination[16..]);
        ObjectId.CopyTo(destination[24..]);
    }

    /// <summary>
    /// Builds the AAD prefix shared by every chunk (header, UID) with room for the chunk index and final flag, which
    /// <see cref="SetChunk"/> fills in.
    /// </summary>
    public byte[] CreateAad(string sopInstanceUid)
    {
        int uidLength = System.Text.Encoding.ASCII.GetByteCount(sopInstanceUid);
        byte[] aad = new byte[ObjectFormat.HeaderLength + 2 + uidLength + 8 + 1];
        Write(aad);
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
