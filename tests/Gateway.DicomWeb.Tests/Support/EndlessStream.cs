namespace Gateway.DicomWeb.Tests.Support;

/// <summary>A non-seekable stream of a prefix, then one byte for ever, in reads of at most 16 KiB; counts what it served.</summary>
/// <remarks>Proves that a reader stops at its limit instead of reading (or buffering) an unbounded input.</remarks>
internal sealed class EndlessStream(byte[] prefix, byte fill) : ReadOnlyTestStream
{
    public long Served { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, 16384);
        for (int i = 0; i < n; i++)
        {
            long at = Served + i;
            buffer[i] = at < prefix.Length ? prefix[at] : fill;
        }

        Served += n;
        return n;
    }
}
