using Gateway.Dicom.IO;

namespace Gateway.Dicom.Tests.IO;

public sealed class InlineFileStreamTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "inline-" + Guid.NewGuid().ToString("N") + ".bin");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task WriteAsyncAndReadAsync_CompleteBeforeReturning_AndRoundTrip()
    {
        byte[] data = [.. Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7))];
        using (var writer = new InlineFileStream(new FileStream(_path, FileMode.CreateNew, FileAccess.Write)))
        {
            ValueTask write = writer.WriteAsync(data.AsMemory(0, 150_000));

            // Done on this thread: nothing was queued to another one.
            Assert.True(write.IsCompletedSuccessfully);
            await write;
            await writer.WriteAsync(data, 150_000, 50_000);
            writer.Flush(flushToDisk: true);
            Assert.Equal(200_000, writer.Length);
        }

        byte[] read = new byte[data.Length];
        using InlineFileStream reader = InlineFileStream.OpenRead(_path);
        int total = 0;
        while (true)
        {
            ValueTask<int> pending = reader.ReadAsync(read.AsMemory(total, Math.Min(65_536, read.Length - total)));
            Assert.True(pending.IsCompletedSuccessfully);
            int n = await pending;
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        Assert.Equal(data.Length, total);
        Assert.Equal(data, read);
    }

    [Fact]
    public async Task CancelledToken_IsReportedBeforeTheFileIsTouched()
    {
        await File.WriteAllBytesAsync(_path, new byte[100]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using InlineFileStream stream = new(new FileStream(_path, FileMode.Open, FileAccess.ReadWrite));

        ValueTask<int> read = stream.ReadAsync(new byte[10], cancelled.Token);
        ValueTask write = stream.WriteAsync(new byte[10], cancelled.Token);

        Assert.True(read.IsCanceled);
        Assert.True(write.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);
        Assert.Equal(0, stream.Position);
        Assert.True(stream.FlushAsync(cancelled.Token).IsCanceled);
    }

    [Fact]
    public async Task Failure_IsReportedThroughTheTask()
    {
        await File.WriteAllBytesAsync(_path, new byte[10]);
        using InlineFileStream stream = InlineFileStream.OpenRead(_path);

        ValueTask write = stream.WriteAsync(new byte[1]);

        Assert.True(write.IsFaulted);
        await Assert.ThrowsAsync<NotSupportedException>(async () => await write);
    }

    [Fact]
    public async Task Seek_AndPartialRead_FollowTheFile()
    {
        await File.WriteAllBytesAsync(_path, [1, 2, 3, 4, 5, 6]);
        using InlineFileStream stream = InlineFileStream.OpenRead(_path, bufferSize: 4096);
        stream.Seek(4, SeekOrigin.Begin);
        byte[] buffer = new byte[10];

        int n = await stream.ReadAsync(buffer);

        Assert.Equal(2, n);
        Assert.Equal(new byte[] { 5, 6 }, buffer[..2]);
        Assert.Equal(0, await stream.ReadAsync(buffer));
        Assert.Equal(_path, stream.Name);
    }

    [Fact]
    public async Task DisposeAsync_ClosesTheFile()
    {
        var stream = new InlineFileStream(new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None));
        await stream.WriteAsync(new byte[] { 9 });

        await stream.DisposeAsync();

        // The exclusive handle is gone: the file opens exclusively again, with what was written.
        using var again = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.None);
        Assert.Equal(9, again.ReadByte());
        Assert.Throws<ObjectDisposedException>(() => stream.Position);
    }
}
