using System.Buffers.Binary;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// Deterministic mutations of seeds for the in-process smoke run (AFL++ does its own in long runs): bit flips,
/// boundary values, big declared lengths, truncation, duplication, insertion and splicing, chosen by a seeded
/// <see cref="Random"/> so that a failure is reproduced by its iteration number.
/// </summary>
public static class FuzzMutator
{
    private static readonly uint[] InterestingLengths = [0, 1, 2, 0x7F, 0x80, 0xFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];

    /// <summary>Mutation <paramref name="iteration"/> of the seeds (the same arguments give the same bytes).</summary>
    public static byte[] Mutate(IReadOnlyList<byte[]> seeds, int iteration)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var random = new Random(iteration);
        byte[] data = seeds[random.Next(seeds.Count)];
        int rounds = 1 + random.Next(4);
        for (int i = 0; i < rounds; i++)
        {
            data = MutateOnce(data, seeds, random);
        }

        return data;
    }

    private static byte[] MutateOnce(byte[] data, IReadOnlyList<byte[]> seeds, Random random)
    {
        if (data.Length == 0)
        {
            return [(byte)random.Next(256)];
        }

        byte[] copy = (byte[])data.Clone();
        int at = random.Next(copy.Length);
        switch (random.Next(8))
        {
            case 0:
                copy[at] ^= (byte)(1 << random.Next(8));
                return copy;
            case 1:
                copy[at] = (byte)(random.Next(4) switch { 0 => 0x00, 1 => 0xFF, 2 => 0x7F, _ => 0x80 });
                return copy;
            case 2 when copy.Length - at >= 4:
                uint length = InterestingLengths[random.Next(InterestingLengths.Length)];
                if (random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(at), length);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), length);
                }

                return copy;
            case 3:
                return copy[..at];
            case 4:
                int count = Math.Min(1 + random.Next(64), copy.Length - at);
                return [.. copy[..(at + count)], .. copy[at..]];
            case 5:
                byte[] inserted = new byte[1 + random.Next(16)];
                random.NextBytes(inserted);
                return [.. copy[..at], .. inserted, .. copy[at..]];
            case 6:
                byte[] other = seeds[random.Next(seeds.Count)];
                int from = other.Length == 0 ? 0 : random.Next(other.Length);
                return [.. copy[..at], .. other[from..]];
            default:
                int removed = Math.Min(1 + random.Next(32), copy.Length - at);
                return [.. copy[..at], .. copy[(at + removed)..]];
        }
    }
}
