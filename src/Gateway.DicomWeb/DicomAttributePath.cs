using System.Globalization;
using Gateway.Dicom;

namespace Gateway.DicomWeb;

/// <summary>
/// Attribute paths as this library reports them (bulk data, errors): "GGGGEEEE" at the top, "SSSSSSSS/i/GGGGEEEE" inside
/// item i (from 0) of sequence SSSSSSSS, as deep as the data set goes (the form Orthanc uses after ".../bulk/").
/// </summary>
internal static class DicomAttributePath
{
    /// <summary>The path of <paramref name="tag"/> in the data set at <paramref name="parentPath"/> ("" at the top).</summary>
    public static string Child(string parentPath, DicomTag tag) =>
        parentPath.Length == 0 ? tag.ToJsonKey() : string.Concat(parentPath, "/", tag.ToJsonKey());

    /// <summary>The path of item <paramref name="index"/> of the sequence at <paramref name="sequencePath"/>.</summary>
    public static string Item(string sequencePath, int index) =>
        string.Concat(sequencePath, "/", index.ToString(CultureInfo.InvariantCulture));
}
