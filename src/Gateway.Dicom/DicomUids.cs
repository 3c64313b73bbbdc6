using System.Collections.Frozen;

namespace Gateway.Dicom;

/// <summary>The UID registry of PS3.6 Annex A: transfer syntaxes, SOP classes and other registered UIDs.</summary>
/// <remarks>Generated from DCMTK's <c>dcuid.h</c> by <c>scripts/generate-dictionary.py</c>; read-only data.</remarks>
public static partial class DicomUids
{
    private static readonly Lazy<FrozenDictionary<string, DicomUidInfo>> Registry =
        new(() => CreateRegistry().DistinctBy(i => i.Uid.Value).ToFrozenDictionary(i => i.Uid.Value, StringComparer.Ordinal));

    /// <summary>Every registered UID.</summary>
    public static IEnumerable<DicomUidInfo> All => Registry.Value.Values;

    /// <summary>Looks up a registered UID; trailing NUL or space padding is ignored.</summary>
    public static DicomUidInfo? Find(string uid) =>
        Registry.Value.TryGetValue(uid.TrimEnd('\0', ' '), out DicomUidInfo? info) ? info : null;
}
