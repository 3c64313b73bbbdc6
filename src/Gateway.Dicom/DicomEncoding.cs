namespace Gateway.Dicom;

/// <summary>How a data set's elements are encoded: explicit or implicit VR, little or big endian.</summary>
public readonly record struct DicomEncoding(bool IsExplicitVR, bool IsBigEndian)
{
    /// <summary>Implicit VR Little Endian.</summary>
    public static readonly DicomEncoding ImplicitLittleEndian = new(false, false);

    /// <summary>Explicit VR Little Endian.</summary>
    public static readonly DicomEncoding ExplicitLittleEndian = new(true, false);

    /// <summary>Explicit VR Big Endian (retired, PS3.5 A.3).</summary>
    public static readonly DicomEncoding ExplicitBigEndian = new(true, true);

    /// <inheritdoc />
    public override string ToString() => (IsExplicitVR ? "explicit VR " : "implicit VR ") + (IsBigEndian ? "big endian" : "little endian");
}
