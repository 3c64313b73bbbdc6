using System.Buffers;
using System.Security.Cryptography;

namespace Gateway.Archive.Crypto;

/// <summary>
/// Encrypts a stream of plaintext into an object file (<see cref="ObjectFormat"/>) chunk by chunk: it holds one chunk of
/// plaintext and one of ciphertext, whatever the object's size.
/// </summary>
internal sealed class EncryptingObjectWriter : IDisposable
{
    private readonly Stream _output;
    private readonly ObjectHeader _header;
    private readonly AesGcm _aes;
    private readonly byte[] _aad;
    private readonly byte[] _nonce = new byte[ObjectFormat.NonceLength];
    private byte[] _plain;
    private byte[] _record;
    private int _filled;
    private long _chunkIndex;
    private bool _headerWritten;
    private bool _completed;

    /// <param name="output">The object file, empty.</param>
    /// <param name="dataKey">The object's 256-bit data key (copied by <see cref="AesGcm"/>; the caller clears its copy).</param>
    /// <param name="header">The header to write.</param>
    /// <param name="sopInstanceUid">The SOP Instance UID bound into every chunk.</param>
    public EncryptingObjectWriter(Stream output, ReadOnlySpan<byte> dataKey, ObjectHeader header, string sopInstanceUid)
    {
        _output = output;
        _header = header;
        _aes = new AesGcm(dataKey, ObjectFormat.TagLength);
        _aad = header.CreateAad(sopInstanceUid);
        _plain = ArrayPool<byte>.Shared.Rent(header.ChunkSize);
        _record = ArrayPool<byte>.Shared.Rent(header.RecordLength);
    }

    /// <summary>Plaintext bytes accepted so far.</summary>
    public long PlaintextLength { get; private set; }

    /// <summary>Bytes written to the file so far (header, ciphertext and tags).</summary>
    public long FileLength { get; private set; }

    /// <summary>Encrypts <paramref name="data"/>, writing every chunk that fills up.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_plain.Length == 0, this);
        if (_completed)
        {
            throw new InvalidOperationException("The object is complete.");
        }

        await EnsureHeaderAsync(cancellationToken).ConfigureAwait(false);
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, _header.ChunkSize - _filled);
            data.Span[..n].CopyTo(_plain.AsSpan(_filled));
            _filled += n;
            PlaintextLength += n;
            data = data[n..];
            if (_filled == _header.ChunkSize)
            {
                // A full chunk is never the final one: the final chunk is always shorter (see ObjectFormat).
                await EmitAsync(final: false, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes the final chunk (the buffered rest, possibly empty).</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_plain.Length == 0, this);
        if (_completed)
        {
            return;
        }

        await EnsureHeaderAsync(cancellationToken).ConfigureAwait(false);
        await EmitAsync(final: true, cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    public void Dispose()
    {
        _aes.Dispose();
        if (_plain.Length > 0)
        {
            CryptographicOperations.ZeroMemory(_plain.AsSpan(0, _header.ChunkSize));
            ArrayPool<byte>.Shared.Return(_plain);
            ArrayPool<byte>.Shared.Return(_record);
            _plain = [];
            _record = [];
        }
    }

    private async ValueTask EnsureHeaderAsync(CancellationToken cancellationToken)
    {
        if (_headerWritten)
        {
            return;
        }

        byte[] header = new byte[_header.Length];
        _header.Write(header);
        await _output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        FileLength += header.Length;
        _headerWritten = true;
    }

    private async ValueTask EmitAsync(bool final, CancellationToken cancellationToken)
    {
        int length = _filled;
        _header.SetNonce(_nonce, _chunkIndex);
        ObjectHeader.SetChunk(_aad, _chunkIndex, final);
        _aes.Encrypt(
            _nonce,
            _plain.AsSpan(0, length),
            _record.AsSpan(0, length),
            _record.AsSpan(length, ObjectFormat.TagLength),
            _aad);
        await _output.WriteAsync(_record.AsMemory(0, length + ObjectFormat.TagLength), cancellationToken).ConfigureAwait(false);
        FileLength += length + ObjectFormat.TagLength;
        _filled = 0;
        _chunkIndex++;
    }
}
