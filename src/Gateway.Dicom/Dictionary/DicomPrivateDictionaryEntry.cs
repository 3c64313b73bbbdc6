namespace Gateway.Dicom.Dictionary;

/// <summary>One private attribute known by its private creator (PS3.5 7.8.1), as DCMTK's private.dic lists them.</summary>
/// <param name="Group">The odd group (repeating private groups have one entry per group).</param>
/// <param name="Creator">The Private Creator value that reserves the block, for example "SIEMENS CSA HEADER".</param>
/// <param name="ElementOffset">The low byte of the element, the offset within the reserved block (0x00-0xFF).</param>
/// <param name="VRCode">The VR, with the same combined codes as <see cref="DicomDictionaryEntry.VRCode"/>.</param>
/// <param name="Keyword">The keyword, for example "CSAImageHeaderInfo".</param>
/// <param name="VM">The value multiplicity.</param>
public sealed record DicomPrivateDictionaryEntry(
    ushort Group,
    string Creator,
    byte ElementOffset,
    string VRCode,
    string Keyword,
    string VM);
