using BenchmarkDotNet.Attributes;

namespace Gateway.Dicom.Benchmarks;

/// <summary>
/// Cost of the <see cref="DicomVR"/> properties the reader and writer consult for every element header
/// (Kind / IsKnown, HasLongLength, SwapUnit), over the 34 standard VRs, against a 26x26 lookup table built once.
/// Each property goes through <see cref="DicomVR.Code"/>, which creates a new two-character string per call.
/// </summary>
[Config(typeof(BenchConfig))]
[MemoryDiagnoser]
public class DicomVRBenchmarks
{
    private static readonly (DicomVRKind Kind, bool LongLength, int SwapUnit)[] Table = BuildTable();
    private readonly DicomVR[] _vrs = [.. DicomVR.All];

    /// <summary>Kind, HasLongLength and SwapUnit of each of the 34 VRs through the public properties.</summary>
    [Benchmark(Baseline = true)]
    public int Properties()
    {
        int sum = 0;
        foreach (DicomVR vr in _vrs)
        {
            sum += (int)vr.Kind + (vr.HasLongLength ? 1 : 0) + vr.SwapUnit;
        }

        return sum;
    }

    /// <summary>The same answers from a table indexed by the two letters (what a fix could look like).</summary>
    [Benchmark]
    public int LookupTable()
    {
        int sum = 0;
        foreach (DicomVR vr in _vrs)
        {
            (DicomVRKind kind, bool longLength, int swapUnit) = Table[((vr.First - 'A') * 26) + (vr.Second - 'A')];
            sum += (int)kind + (longLength ? 1 : 0) + swapUnit;
        }

        return sum;
    }

    private static (DicomVRKind, bool, int)[] BuildTable()
    {
        var table = new (DicomVRKind, bool, int)[26 * 26];
        for (int i = 0; i < table.Length; i++)
        {
            DicomVR.TryCreate((byte)('A' + (i / 26)), (byte)('A' + (i % 26)), out DicomVR vr);
            table[i] = (vr.Kind, vr.HasLongLength, vr.SwapUnit);
        }

        return table;
    }
}
