using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Dicom;
using Gateway.Dicom.IO;

namespace Gateway.Archive.Crypto;

/// <summary>
/// Finds the SOP Instance UID an object claims to hold, for an index rebuild, which has no index row to name it: every
/// chunk's AAD binds the UID (<see cref="ObjectFormat"/>), so the UID is needed before any chunk can be authenticated.
/// </summary>
/// <remarks>
/// The first chunk's ciphertext is decrypted as the AES-CTR stream GCM uses (keystream block j = AES(key, nonce || j+2)),
/// without its tag, and the File Meta Information at the start of the plaintext is parsed for (0002,0003). That UID is
/// only a candidate: the caller then reads the object through <see cref="DecryptingObjectStream"/> with it, so nothing
/// counts unless every chunk's tag verifies under it, and the authenticated File Meta Information must name it again.
/// A forged first chunk can only make the object fail. Nothing decrypted here leaves this class; its buffers are zeroed.
/// </remarks>
internal static class ObjectUidProbe
{
    private const int BlockLength = 16;

    /// <summary>Preamble, DICM and the largest File Meta Information the probe reads.</summary>
    private const int MaxProbeLength = 132 + DicomPart10Header.DefaultMaxMetaBytes;

    /// <summary>Reads the first chunk after the header (the file is left where it was) and returns the UID it claims.</summary>
    /// <param name="file">The object file, positioned right after its header; seekable.</param>
    /// <param name="header">The object's header.</param>
    /// <param name="dataKey">The object's data key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArchiveIntegrityException">The first chunk holds no Part 10 File Meta Information with a SOP Instance UID.</exception>
    public static async Task<string> ReadCandidateUidAsync(Stream file, ObjectHeader header, byte[] dataKey, CancellationToken cancellationToken)
    {
        long start = file.Position;
        int want = (int)Math.Min(header.RecordLength, (long)MaxProbeLength + ObjectFormat.TagLength);
        byte[] record = new byte[want];
        byte[] plain = [];
        try
        {
            int n = await file.ReadAtLeastAsync(record, want, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);

            // Only the start of a long chunk was read: all ciphertext. A full record ends with its tag; a shorter read is
            // the final chunk, whose last 16 bytes are its tag.
            int length = n == want && want < header.RecordLength ? n
                : n == header.RecordLength ? header.ChunkSize
                : n - ObjectFormat.TagLength;
            length = Math.Min(length, MaxProbeLength);
            if (length <= 0)
            {
                throw new ArchiveIntegrityException("the object has no first chunk");
            }

            plain = Keystream(header, dataKey, length);
            for (int i = 0; i < length; i++)
            {
                plain[i] ^= record[i];
            }

            using var input = new MemoryStream(plain, 0, length, writable: false);
            DicomPart10Header meta = await DicomPart10Header.ReadAsync(input, cancellationToken: cancellationToken).ConfigureAwait(false);
            string? uid = meta.SopInstanceUid;
            if (uid is null || !new DicomUid(uid).IsValid)
            {
                throw new ArchiveIntegrityException("the object's File Meta Information has no valid SOP Instance UID");
            }

            return uid;
        }
        catch (DicomFormatException ex)
        {
            throw new ArchiveIntegrityException("the object's first chunk does not start with a Part 10 header (wrong key, or altered)", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(record);
            file.Position = start;
        }
    }

    // The GCM keystream of chunk 0: AES-ECB of the counter blocks nonce || 2, nonce || 3, ...
    private static byte[] Keystream(ObjectHeader header, byte[] dataKey, int length)
    {
        int blocks = (length + BlockLength - 1) / BlockLength;
        byte[] counters = new byte[blocks * BlockLength];
        Span<byte> nonce = stackalloc byte[ObjectFormat.NonceLength];
        header.SetNonce(nonce, 0);
        for (int j = 0; j < blocks; j++)
        {
            Span<byte> block = counters.AsSpan(j * BlockLength, BlockLength);
            nonce.CopyTo(block);
            BinaryPrimitives.WriteUInt32BigEndian(block[ObjectFormat.NonceLength..], (uint)(j + 2));
        }

        using var aes = Aes.Create();
        aes.Key = dataKey;
        byte[] stream = aes.EncryptEcb(counters, PaddingMode.None);
        CryptographicOperations.ZeroMemory(counters);
        return stream;
    }
}
