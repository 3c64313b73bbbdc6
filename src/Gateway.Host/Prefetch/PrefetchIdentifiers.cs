using Gateway.Dicom;
using Gateway.Dicom.Model;

namespace Gateway.Host.Prefetch;

/// <summary>
/// Checks on identifiers that come from the RIS and the PACS before the gateway uses them as query keys: a value that
/// would match more than it names (a wildcard, a list) would fetch other patients' studies.
/// </summary>
internal static class PrefetchIdentifiers
{
    /// <summary>The largest Patient ID (LO, PS3.5 6.2).</summary>
    public const int MaxPatientIdLength = 64;

    /// <summary>
    /// The Patient ID to query with, or null when it is empty, too long, or holds a character that C-FIND treats as
    /// matching (<c>*</c>, <c>?</c>), a value separator (<c>\</c>) or a control character (PS3.4 C.2.2.2).
    /// </summary>
    public static string? PatientId(string? value)
    {
        string? id = value?.Trim();
        if (id is not { Length: > 0 and <= MaxPatientIdLength })
        {
            return null;
        }

        foreach (char c in id)
        {
            if (c is '*' or '?' or '\\' || char.IsControl(c))
            {
                return null;
            }
        }

        return id;
    }

    /// <summary>The UID, or null when it is not a valid UID (PS3.5 9.1): no list, no wildcard, at most 64 characters.</summary>
    public static string? Uid(string? value) =>
        value?.Trim('\0', ' ') is { Length: > 0 } uid && new DicomUid(uid).IsValid ? uid : null;

    /// <summary>
    /// The value of an attribute of value multiplicity 1, or null when it is absent or holds several values: a list
    /// (<c>P1\P2</c>) is never cut down to its first value, which the sender did not mean alone.
    /// </summary>
    public static string? Single(DicomDataset dataset, DicomTag tag)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        IReadOnlyList<string> values = dataset.GetStrings(tag);
        return values.Count == 1 ? values[0] : null;
    }

    /// <summary>A code string value (CS) compared without case and padding, or null when empty.</summary>
    public static string? Code(string? value) => value?.Trim() is { Length: > 0 } v ? v.ToUpperInvariant() : null;
}
