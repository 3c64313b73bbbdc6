using System.Buffers;
using System.Security.Cryptography;

namespace Gateway.Archive.Crypto;

/// <summary>
/// A read-only stream of an object's plaintext: it reads one chunk at a time, verifies its tag against the UID, chunk
/// index and final flag, and only then hands out its bytes. Any failure is an <see cref="ArchiveIntegrityException"/>.
/// </summary>
internal sealed class DecryptingObjectStream : Stream
{
    private readonly Stream _file;
    private readonly ObjectHeader _header;
    private readonly AesGcm _aes;
    private readonly byte[] _aad;
    private readonly byte[] _nonce = new byte[ObjectFormat.NonceLength];
    private readonly long _expectedLength;
    private readonly string _name;
    private byte[] _record;
    private byte[] _plain;
    private int _plainStart;
    private int _plainEnd;
    private long _chunkIndex;
    private long _plaintextSeen;
    private bool _finalSeen;
    private bool _failed;

    private DecryptingObjectStream(Stream file, ObjectHeader header, ReadOnlySpan<byte> dataKey, string sopInstanceUid, long expectedLength)
    {
        _file = file;
        _header = header;
        _aes = new AesGcm(dataKey, ObjectFormat.TagLength);
        _aad = header.CreateAad(sopInstanceUid);
        _expectedLength = expectedLength;
        _name = ObjectFormat.NameOf(header.ObjectId);
        _record = ArrayPool<byte>.Shared.Rent(header.RecordLength);
        _plain = ArrayPool<byte>.Shared.Rent(header.ChunkSize);
    }

    /// <summary>Plaintext bytes returned (or skipped) so far.</summary>
    public long PlaintextPosition { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Reads and checks the header of <paramref name="file"/> and returns the plaintext stream, which owns the file.</summary>
    /// <param name="file">The object file, at its start.</param>
    /// <param name="dataKey">The unwrapped data key.</param>
    /// <param name="expectedObjectId">The object id the index recorded for this instance.</param>
    /// <param name="sopInstanceUid">The SOP Instance UID the object must be bound to.</param>
    /// <param name="expectedLength">The plaintext length the index recorded (-1: unknown, for an index rebuild).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArchiveIntegrityException">The header is malformed or belongs to another object.</exception>
    public static async Task<DecryptingObjectStream> OpenAsync(
        Stream file,
        ReadOnlyMemory<byte> dataKey,
        ReadOnlyMemory<byte> expectedObjectId,
        string sopInstanceUid,
        long expectedLength,
        CancellationToken cancellationToken)
    {
        ObjectHeader header = await ObjectHeader.ReadAsync(file, cancellationToken).ConfigureAwait(false);
        return Open(file, header, dataKey.Span, expectedObjectId.Span, sopInstanceUid, expectedLength);
    }

    /// <summary>The plaintext stream of <paramref name="file"/>, whose header was already read (it is at the first chunk).</summary>
    /// <exception cref="ArchiveIntegrityException">The header belongs to another object.</exception>
    public static DecryptingObjectStream Open(
        Stream file,
        ObjectHeader header,
        ReadOnlySpan<byte> dataKey,
        ReadOnlySpan<byte> expectedObjectId,
        string sopInstanceUid,
        long expectedLength)
    {
        if (!header.ObjectId.AsSpan().SequenceEqual(expectedObjectId))
        {
            throw new ArchiveIntegrityException(
                $"object file {ObjectFormat.NameOf(expectedObjectId)} holds object {ObjectFormat.NameOf(header.ObjectId)} (swapped or replaced file)");
        }

        return new DecryptingObjectStream(file, header, dataKey, sopInstanceUid, expectedLength);
    }

    /// <summary>Discards <paramref name="count"/> plaintext bytes (each chunk still verified).</summary>
    public async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (count > 0)
            {
                int n = await ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new ArchiveIntegrityException($"object {_name} ends before offset {PlaintextPosition + count}");
                }

                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_plainStart == _plainEnd)
        {
            if (_finalSeen)
            {
                return 0;
            }

            int n = await ReadFullyAsync(_file, _record.AsMemory(0, _header.RecordLength), cancellationToken).ConfigureAwait(false);
            OpenChunk(n);
        }

        return Take(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ThrowIfUnusable();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_plainStart == _plainEnd)
        {
            if (_finalSeen)
            {
                return 0;
            }

            int n = 0;
            int want = _header.RecordLength;
            while (n < want)
            {
                int r = _file.Read(_record, n, want - n);
                if (r == 0)
                {
                    break;
                }

                n += r;
            }

            OpenChunk(n);
        }

        return Take(buffer);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
            _aes.Dispose();
            ReturnBuffers();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        _aes.Dispose();
        ReturnBuffers();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private static async ValueTask<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int n = 0;
        while (n < buffer.Length)
        {
            int r = await stream.ReadAsync(buffer[n..], cancellationToken).ConfigureAwait(false);
            if (r == 0)
            {
                break;
            }

            n += r;
        }

        return n;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_record.Length == 0, this);
        if (_failed)
        {
            throw new ArchiveIntegrityException($"object {_name} already failed verification");
        }
    }

    // Decrypts the record of n bytes just read. A full record is a middle chunk; a shorter one is the final chunk (the
    // read stopped at the end of the file); less than a tag is a truncation.
    private void OpenChunk(int n)
    {
        bool final = n < _header.RecordLength;
        if (n < ObjectFormat.TagLength)
        {
            _failed = true;
            throw new ArchiveIntegrityException(n == 0
                ? $"object {_name} is truncated: it ends after chunk {_chunkIndex - 1} without a final chunk"
                : $"object {_name} is truncated inside chunk {_chunkIndex}");
        }

        int length = n - ObjectFormat.TagLength;
        _header.SetNonce(_nonce, _chunkIndex);
        ObjectHeader.SetChunk(_aad, _chunkIndex, final);
        try
        {
            _aes.Decrypt(_nonce, _record.AsSpan(0, length), _record.AsSpan(length, ObjectFormat.TagLength), _plain.AsSpan(0, length), _aad);
        }
        catch (CryptographicException ex)
        {
            _failed = true;
            throw new ArchiveIntegrityException(
                $"chunk {_chunkIndex} of object {_name} failed authentication (altered, truncated, reordered, or not this instance's object)", ex);
        }

        _plaintextSeen += length;
        _plainStart = 0;
        _plainEnd = length;
        _chunkIndex++;
        if (final)
        {
            _finalSeen = true;
            if (_expectedLength >= 0 && _plaintextSeen != _expectedLength)
            {
                _failed = true;
                _plainEnd = 0;
                throw new ArchiveIntegrityException(
                    $"object {_name} holds {_plaintextSeen} bytes where the index recorded {_expectedLength}");
            }
        }
    }

    private int Take(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _plainEnd - _plainStart);
        _plain.AsSpan(_plainStart, n).CopyTo(destination);
        _plainStart += n;
        PlaintextPosition += n;
        return n;
    }

    private void ReturnBuffers()
    {
        if (_record.Length > 0)
        {
            CryptographicOperations.ZeroMemory(_plain.AsSpan(0, _header.ChunkSize));
            ArrayPool<byte>.Shared.Return(_record);
            ArrayPool<byte>.Shared.Return(_plain);
            _record = [];
            _plain = [];
        }
    }
}
