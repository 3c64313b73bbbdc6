namespace Gateway.Audit.Export;

/// <summary>A set of record indexes below a bound, as a bitmap: 1 bit per record of the log (125 KB per million).</summary>
internal sealed class IndexSet(long bound)
{
    private readonly ulong[] _bits = new ulong[checked((int)((bound + 63) / 64))];

    public void Add(long index) => _bits[index >> 6] |= 1UL << (int)(index & 63);

    public bool Contains(long index) => (_bits[index >> 6] & (1UL << (int)(index & 63))) != 0;

    /// <summary>Whether any index in [<paramref name="from"/>, <paramref name="to"/>) is in the set.</summary>
    public bool Any(long from, long to)
    {
        for (long i = from; i < to; i++)
        {
            if ((i & 63) == 0 && i + 64 <= to)
            {
                if (_bits[i >> 6] != 0)
                {
                    return true;
                }

                i += 63;
                continue;
            }

            if (Contains(i))
            {
                return true;
            }
        }

        return false;
    }
}
