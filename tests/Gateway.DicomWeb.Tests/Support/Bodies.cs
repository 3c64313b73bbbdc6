using System.IO.Pipelines;
using System.Text;
using Gateway.Dicom.Tests.Support;
using Gateway.DicomWeb.Multipart;

namespace Gateway.DicomWeb.Tests.Support;

/// <summary>Multipart bodies for the reader tests: built from text, fed through a pipe in chunks of a chosen size.</summary>
internal static class Bodies
{
    public const string Boundary = "b0und4ry";

    public const string DicomContentType = "multipart/related; type=\"application/dicom\"; boundary=" + Boundary;

    /// <summary>Latin-1 bytes of <paramref name="text"/>, so every char is one byte.</summary>
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>A reader over <paramref name="body"/> whose pipe sees at most <paramref name="chunk"/> bytes per read.</summary>
    public static MultipartReader Reader(byte[] body, int chunk = 4096, string contentType = DicomContentType, MultipartReaderOptions? options = null) =>
        new(
            PipeReader.Create(new NonSeekableStream(body, chunk), new StreamPipeReaderOptions(bufferSize: Math.Max(chunk, 1), minimumReadSize: 1)),
            MultipartContentType.Parse(contentType),
            options);

    /// <summary>Every part: its Content-Type and body bytes.</summary>
    public static async Task<List<(string? ContentType, byte[] Body)>> ReadAllAsync(MultipartReader reader, int readSize = 8192)
    {
        var parts = new List<(string?, byte[])>();
        while (await reader.ReadNextPartAsync() is { } part)
        {
            parts.Add((part.ContentType?.ToString(), await ReadToEndAsync(part.Body, readSize)));
        }

        return parts;
    }

    public static async Task<byte[]> ReadToEndAsync(Stream body, int readSize = 8192)
    {
        using var copy = new MemoryStream();
        byte[] buffer = new byte[readSize];
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            copy.Write(buffer, 0, n);
        }

        return copy.ToArray();
    }
}
