using System.Security.Cryptography;
using Gateway.DicomWeb.Multipart;
using Gateway.DicomWeb.Tests.Support;

namespace Gateway.DicomWeb.Tests.Multipart;

/// <summary>A large part streams through the reader to a sink: memory stays at a few buffers, whatever the part's size.</summary>
[Collection(SerialCollection.Name)]
public sealed class MultipartReaderMemoryTests
{
    [Fact]
    public async Task ReadNextPartAsync_256MiBPart_StreamsWithBoundedAllocation()
    {
        const long partSize = 256L * 1024 * 1024;
        var body = new GeneratedBody("b0und4ry", partSize);
        MultipartReader reader = MultipartReader.Create(body, Bodies.DicomContentType);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[81920];
        long before = GC.GetTotalAllocatedBytes(precise: true);

        MultipartPart part = (await reader.ReadNextPartAsync())!;
        long length = 0;
        int n;
        while ((n = await part.Body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            length += n;
        }

        Assert.Null(await reader.ReadNextPartAsync());
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(partSize, length);
        Assert.Equal(body.ContentHash, hash.GetHashAndReset());
        Assert.True(allocated < 16 * 1024 * 1024, $"{allocated} bytes allocated to stream a {partSize}-byte part");
    }

    /// <summary>"--boundary" CRLF, a Content-Type, CRLF, <c>size</c> pseudo-random bytes, the close delimiter; generated as read.</summary>
    private sealed class GeneratedBody : ReadOnlyTestStream
    {
        private readonly byte[] _head;
        private readonly byte[] _tail;
        private readonly long _size;
        private long _position;

        public GeneratedBody(string boundary, long size)
        {
            _head = Bodies.Bytes($"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n");
            _tail = Bodies.Bytes($"\r\n--{boundary}--\r\n");
            _size = size;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] chunk = new byte[65536];
            for (long at = 0; at < size; at += chunk.Length)
            {
                int n = (int)Math.Min(chunk.Length, size - at);
                Fill(chunk.AsSpan(0, n), at);
                hash.AppendData(chunk, 0, n);
            }

            ContentHash = hash.GetHashAndReset();
        }

        public byte[] ContentHash { get; }

        public override int Read(Span<byte> buffer)
        {
            long total = _head.Length + _size + _tail.Length;
            int n = (int)Math.Min(buffer.Length, total - _position);
            for (int i = 0; i < n;)
            {
                long at = _position + i;
                int run;
                if (at < _head.Length)
                {
                    run = (int)Math.Min(n - i, _head.Length - at);
                    _head.AsSpan((int)at, run).CopyTo(buffer[i..]);
                }
                else if (at < _head.Length + _size)
                {
                    run = (int)Math.Min(n - i, _head.Length + _size - at);
                    Fill(buffer.Slice(i, run), at - _head.Length);
                }
                else
                {
                    run = n - i;
                    _tail.AsSpan((int)(at - _head.Length - _size), run).CopyTo(buffer[i..]);
                }

                i += run;
            }

            _position += n;
            return n;
        }

        // Bytes of a cheap sequence with many CR, LF and '-' (every byte value occurs), a function of the offset alone.
        private static void Fill(Span<byte> span, long offset)
        {
            for (int i = 0; i < span.Length; i++)
            {
                ulong x = (ulong)(offset + i) * 0x9E3779B97F4A7C15UL;
                span[i] = (byte)(x >> 56);
            }
        }
    }
}
