namespace Gateway.Dicom.Tests.Support;

/// <summary>The three data set encodings by readable name, for theory data.</summary>
internal static class Encodings
{
    public const string ImplicitLE = "ImplicitLE";
    public const string ExplicitLE = "ExplicitLE";
    public const string ExplicitBE = "ExplicitBE";

    public static readonly IReadOnlyList<string> Names = [ImplicitLE, ExplicitLE, ExplicitBE];

    public static DicomEncoding Of(string name) => name switch
    {
        ImplicitLE => DicomEncoding.ImplicitLittleEndian,
        ExplicitLE => DicomEncoding.ExplicitLittleEndian,
        ExplicitBE => DicomEncoding.ExplicitBigEndian,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static bool IsBigEndian(string name) => name == ExplicitBE;

    /// <summary>The element as PS3.5 7.1.2/7.1.3 encodes it, built by hand.</summary>
    public static byte[] Element(VRSample sample, string encoding)
    {
        bool big = IsBigEndian(encoding);
        var b = new ByteBuilder(big);
        byte[] wire = big ? sample.WireBig : sample.WireLittle;
        return encoding == ImplicitLE
            ? b.Implicit(sample.Tag.Group, sample.Tag.Element, wire).ToArray()
            : b.Explicit(sample.Tag.Group, sample.Tag.Element, sample.VR, wire).ToArray();
    }

    /// <summary>Every VR sample with every encoding name.</summary>
    public static TheoryData<string, string> EveryVRInEveryEncoding()
    {
        var data = new TheoryData<string, string>();
        foreach (VRSample s in VRSample.All)
        {
            foreach (string e in Names)
            {
                data.Add(s.VR, e);
            }
        }

        return data;
    }
}
