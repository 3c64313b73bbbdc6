namespace Gateway.DicomWeb.Tests.Support;

/// <summary>Byte-level mutations of a valid input for the fuzz tests, each decided by one random 64-bit number.</summary>
internal static class Mutations
{
    /// <summary>
    /// Applies each mutation in turn: insert, replace, delete, truncate, flip a bit, duplicate a run, or insert a random
    /// byte; inserted and replacing bytes come mostly from <paramref name="alphabet"/>, the syntax the reader cares about.
    /// </summary>
    public static byte[] Apply(byte[] seed, ulong[] mutations, byte[] alphabet)
    {
        List<byte> bytes = [.. seed];
        foreach (ulong m in mutations)
        {
            int at = bytes.Count == 0 ? 0 : (int)((m >> 8) % (ulong)bytes.Count);
            byte b = alphabet[(int)((m >> 40) % (ulong)alphabet.Length)];
            switch (m & 7)
            {
                case 0:
                    bytes.Insert(at, b);
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = b;
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes = bytes[..at];
                    break;
                case 4 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << (int)((m >> 32) & 7));
                    break;
                case 5:
                    int length = (int)((m >> 48) % 64);
                    bytes.InsertRange(at, bytes.Skip(at).Take(length).ToList());
                    break;
                default:
                    bytes.Insert(at, (byte)(m >> 56));
                    break;
            }
        }

        return [.. bytes];
    }
}
