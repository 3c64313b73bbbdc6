namespace Gateway.Dicom.IO;

/// <summary>
/// A file stream whose asynchronous reads and writes run synchronously on the caller's thread.
/// </summary>
/// <remarks>
/// On Linux a regular file has no asynchronous I/O that .NET uses: <see cref="FileStream.ReadAsync(Memory{byte}, CancellationToken)"/>
/// and <see cref="FileStream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> queue a blocking <c>pread</c>/<c>pwrite</c>
/// to another thread-pool thread and resume the caller when it is done, whether or not the file was opened with
/// <see cref="FileOptions.Asynchronous"/>. The call blocks a pool thread either way; this stream blocks the caller's own
/// and saves the two thread switches per call. It is meant for code that already runs on the thread pool and streams a
/// file in large chunks (a DICOM instance received or sent): the file I/O is no shorter, but nothing waits on a queue
/// for it. A cancelled token is honoured before each call, not during one. The stream owns the file.
/// </remarks>
public sealed class InlineFileStream : Stream
{
    private readonly FileStream _file;

    /// <summary>Wraps <paramref name="file"/>, which is disposed with this stream.</summary>
    public InlineFileStream(FileStream file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
    }

    /// <summary>Opens <paramref name="path"/> for sequential reading (shared with other readers).</summary>
    /// <param name="path">The file.</param>
    /// <param name="bufferSize">The file stream's own buffer; 0 (the default) reads straight into the caller's buffers.</param>
    public static InlineFileStream OpenRead(string path, int bufferSize = 0) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, FileOptions.SequentialScan));

    /// <inheritdoc />
    public override bool CanRead => _file.CanRead;

    /// <inheritdoc />
    public override bool CanSeek => _file.CanSeek;

    /// <inheritdoc />
    public override bool CanWrite => _file.CanWrite;

    /// <inheritdoc />
    public override long Length => _file.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    /// <summary>The path of the file.</summary>
    public string Name => _file.Name;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => _file.Read(buffer);

    /// <inheritdoc />
    public override int ReadByte() => _file.ReadByte();

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return new ValueTask<int>(_file.Read(buffer.Span));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer) => _file.Write(buffer);

    /// <inheritdoc />
    public override void WriteByte(byte value) => _file.WriteByte(value);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            _file.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <inheritdoc />
    public override void Flush() => _file.Flush();

    /// <summary>Flushes, and with <paramref name="flushToDisk"/> makes the file's data durable (fsync).</summary>
    public void Flush(bool flushToDisk) => _file.Flush(flushToDisk);

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            _file.Flush();
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    /// <inheritdoc />
    public override void SetLength(long value) => _file.SetLength(value);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
