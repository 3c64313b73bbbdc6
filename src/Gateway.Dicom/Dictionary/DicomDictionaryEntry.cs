namespace Gateway.Dicom.Dictionary;

/// <summary>One attribute of the PS3.6 data dictionary, possibly a range of tags such as (60xx,0010).</summary>
/// <param name="GroupLow">Lowest group this entry covers.</param>
/// <param name="GroupHigh">Highest group this entry covers (equal to <paramref name="GroupLow"/> unless a repeating group).</param>
/// <param name="ElementLow">Lowest element this entry covers.</param>
/// <param name="ElementHigh">Highest element this entry covers.</param>
/// <param name="VRCode">
/// The VR: a PS3.5 code, or DCMTK's combined codes "ox" (OB or OW), "xs" (US or SS), "lt" (US, SS or OW),
/// "px" (pixel data, OB or OW), "up" (UL used as a pointer) and "na" (no VR: items and delimiters).
/// </param>
/// <param name="Keyword">The PS3.6 keyword, for example "PatientName".</param>
/// <param name="VM">The value multiplicity, for example "1", "2-n".</param>
/// <param name="IsRetired">True for retired attributes.</param>
public sealed record DicomDictionaryEntry(
    ushort GroupLow,
    ushort GroupHigh,
    ushort ElementLow,
    ushort ElementHigh,
    string VRCode,
    string Keyword,
    string VM,
    bool IsRetired)
{
    /// <summary>True when the entry covers more than one tag.</summary>
    public bool IsRange => GroupLow != GroupHigh || ElementLow != ElementHigh;

    /// <summary>True when <paramref name="tag"/> falls inside this entry (repeating groups cover even groups only).</summary>
    public bool Covers(DicomTag tag) =>
        tag.Group >= GroupLow && tag.Group <= GroupHigh &&
        tag.Element >= ElementLow && tag.Element <= ElementHigh &&
        (GroupLow == GroupHigh || ((tag.Group - GroupLow) & 1) == 0);

    /// <summary>The VRs allowed for this attribute, most usual first.</summary>
    public IReadOnlyList<DicomVR> ValueRepresentations => VRCode switch
    {
        "ox" or "px" => [DicomVR.OW, DicomVR.OB],
        "xs" => [DicomVR.US, DicomVR.SS],
        "lt" => [DicomVR.US, DicomVR.SS, DicomVR.OW],
        "up" => [DicomVR.UL],
        "na" => [],
        _ => [DicomVR.Parse(VRCode)],
    };
}
