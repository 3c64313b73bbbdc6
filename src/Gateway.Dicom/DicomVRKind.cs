namespace Gateway.Dicom;

/// <summary>How the values of a VR are encoded.</summary>
public enum DicomVRKind
{
    /// <summary>Not a VR of PS3.5 Table 6.2-1.</summary>
    Unknown,

    /// <summary>Character strings (AE, AS, CS, DA, DS, DT, IS, LO, LT, PN, SH, ST, TM, UC, UI, UR, UT).</summary>
    Text,

    /// <summary>Fixed-size binary numbers and tags (AT, FD, FL, SL, SS, SV, UL, US, UV).</summary>
    Binary,

    /// <summary>Byte or word streams (OB, OD, OF, OL, OV, OW, UN).</summary>
    Bulk,

    /// <summary>A sequence of items (SQ).</summary>
    Sequence,
}
