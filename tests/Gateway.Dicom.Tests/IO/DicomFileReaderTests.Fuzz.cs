using System.Buffers.Binary;
using CsCheck;
using Gateway.Dicom.IO;
using Gateway.Dicom.Json;
using Gateway.Dicom.Tests.Support;

namespace Gateway.Dicom.Tests.IO;

public sealed partial class DicomFileReaderTests
{
    private static readonly Lazy<Seed[]> Seeds = new(LoadSeeds);

    private static readonly uint[] InterestingLengths = [0, 1, 2, 3, 7, 8, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 0x0001_0000, 0x4000_0000];

    private static readonly string[] FuzzVRs = [.. DicomVR.All.Select(vr => vr.Code), "ZZ", "sq", "\0\0"];

    private static readonly DicomTransferSyntax[] TranscodeTargets = [.. TestData.Uncompressed];

    /// <summary>
    /// Mutated seed files (bit flips, byte changes, inserts, deletes, splices, VRs swapped, length fields overwritten with
    /// random and huge values, truncation) are read whole, serialised to JSON and transcoded: every outcome is success or a
    /// <see cref="DicomFormatException"/>, and every case ends in bounded time.
    /// </summary>
    [Fact]
    public async Task ReadAndTranscode_MutatedSeeds_SucceedOrThrowDicomFormatException()
    {
        Seed[] seeds = Seeds.Value;
        Gen<(int Seed, ulong[] Mutations)> gen = Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.ULong.Array[1, 6]);

        await gen.SampleAsync(
            async t =>
            {
                byte[] input = Mutate(seeds[t.Seed], t.Mutations);
                await Task.Run(() => ReadEverythingAsync(input, t.Mutations[0])).WaitAsync(ReadTimeout);
            },
            iter: 20000,
            print: t => $"{seeds[t.Seed].Name} mutations [{string.Join(", ", t.Mutations.Select(m => $"0x{m:X16}UL"))}]");
    }

    [Fact]
    public async Task ReadAndTranscode_EveryRegressionFile_SucceedsOrThrowsDicomFormatException()
    {
        string[] files = Directory.GetFiles(TestData.CorpusDirectory("regressions"), "*.dcm");

        foreach (string path in files)
        {
            byte[] input = await File.ReadAllBytesAsync(path);
            for (ulong variant = 0; variant < 16; variant++)
            {
                await Task.Run(() => ReadEverythingAsync(input, variant)).WaitAsync(ReadTimeout);
            }
        }

        Assert.NotEmpty(files);
    }

    // Reads, serialises and transcodes `input`; `variant` picks the stream kind, leniency and transcoding target.
    private static async Task ReadEverythingAsync(byte[] input, ulong variant)
    {
        bool seekable = (variant & 1) == 0;
        var options = new DicomReaderOptions { AllowOddLengths = (variant & 2) != 0 };
        try
        {
            FileContent content = await TestData.ReadFileAsync(input, options, seekable);
            _ = DicomJsonWriter.Serialize(content.Dataset);
            _ = DicomJsonWriter.Serialize(content.Meta);
        }
        catch (DicomFormatException)
        {
        }

        DicomTransferSyntax target = TranscodeTargets[(int)((variant >> 2) % (ulong)TranscodeTargets.Length)];
        byte[] output;
        try
        {
            output = await TestData.TranscodeAsync(input, target, options);
        }
        catch (DicomFormatException)
        {
            return;
        }

        // What the transcoder accepted and wrote in explicit VR must read back. Implicit VR cannot carry a VR that
        // contradicts the dictionary (FL data under a tag the dictionary calls SQ), so there a format error is allowed.
        try
        {
            _ = await TestData.ReadFileAsync(output, options);
        }
        catch (DicomFormatException) when (!target.Encoding.IsExplicitVR)
        {
        }
    }

    private static byte[] Mutate(Seed seed, ulong[] mutations)
    {
        var bytes = new List<byte>(seed.Bytes);
        foreach (ulong m in mutations)
        {
            if (bytes.Count == 0)
            {
                break;
            }

            int position = (int)((m >> 8) % (ulong)bytes.Count);
            byte value = (byte)(m >> 40);
            switch (m % 10)
            {
                case 0:
                    bytes[position] ^= (byte)(1 << (int)((m >> 48) % 8));
                    break;
                case 1:
                    bytes[position] = value;
                    break;
                case 2:
                    bytes.Insert(position, value);
                    break;
                case 3:
                    bytes.RemoveAt(position);
                    break;
                case 4:
                case 5:
                    // A length field of a real header (at +4 in implicit VR and items, +6 or +8 in explicit VR).
                    if (seed.HeaderOffsets.Length > 0)
                    {
                        int header = seed.HeaderOffsets[(int)((m >> 8) % (ulong)seed.HeaderOffsets.Length)];
                        int at = header + (int)(4 + (2 * ((m >> 32) % 3)));
                        uint length = (m & 8) != 0 ? InterestingLengths[(m >> 36) % (ulong)InterestingLengths.Length] : (uint)(m >> 16);
                        Overwrite(bytes, at, length, bigEndian: seed.BigEndian);
                    }

                    break;
                case 6:
                    Overwrite(bytes, position, (uint)(m >> 16), bigEndian: false);
                    break;
                case 7:
                    // Splice: a copy of up to 64 bytes from elsewhere in the file, so structure repeats or nests.
                    int from = (int)((m >> 24) % (ulong)bytes.Count);
                    int count = Math.Min((int)((m >> 52) % 64) + 1, bytes.Count - from);
                    bytes.InsertRange(position, bytes.GetRange(from, count));
                    break;
                case 8:
                    // Another VR in an explicit header (harmless noise in implicit VR).
                    if (seed.HeaderOffsets.Length > 0)
                    {
                        int header = seed.HeaderOffsets[(int)((m >> 8) % (ulong)seed.HeaderOffsets.Length)];
                        string vr = FuzzVRs[(int)((m >> 32) % (ulong)FuzzVRs.Length)];
                        for (int i = 0; i < 2 && header + 4 + i < bytes.Count; i++)
                        {
                            bytes[header + 4 + i] = (byte)vr[i];
                        }
                    }

                    break;
                default:
                    bytes.RemoveRange(position, bytes.Count - position);
                    break;
            }
        }

        return [.. bytes];
    }

    private static void Overwrite(List<byte> bytes, int at, uint value, bool bigEndian)
    {
        Span<byte> s = stackalloc byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, value);
        }

        for (int i = 0; i < 4 && at + i < bytes.Count; i++)
        {
            bytes[at + i] = s[i];
        }
    }

    private static Seed[] LoadSeeds() =>
        [.. Directory.GetFiles(TestData.CorpusDirectory("seeds"), "*.dcm").Order(StringComparer.Ordinal).Select(path =>
        {
            byte[] bytes = File.ReadAllBytes(path);
            var offsets = Part10.MetaElements(bytes).Select(m => m.Offset).ToList();
            using (DicomFileReader file = DicomFileReader.OpenAsync(new MemoryStream(bytes)).AsTask().GetAwaiter().GetResult())
            {
                if (!file.TransferSyntax.IsDeflated)
                {
                    while (file.Reader.ReadAsync().AsTask().GetAwaiter().GetResult())
                    {
                        if (file.Reader.TokenType is DicomTokenType.Element or DicomTokenType.SequenceStart or DicomTokenType.ItemStart
                            or DicomTokenType.FragmentsStart or DicomTokenType.Fragment)
                        {
                            offsets.Add((int)file.Reader.TokenOffset);
                        }
                    }
                }

                return new Seed(Path.GetFileName(path), bytes, [.. offsets], file.TransferSyntax.Encoding.IsBigEndian);
            }
        })];

    private sealed record Seed(string Name, byte[] Bytes, int[] HeaderOffsets, bool BigEndian);
}
