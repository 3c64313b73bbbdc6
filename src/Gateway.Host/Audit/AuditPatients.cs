using System.Text;
using Gateway.Audit.Records;
using Gateway.Dicom;
using Gateway.Dicom.Model;

namespace Gateway.Host.Audit;

/// <summary>
/// The patient participant object (PS3.15 A.5.2.1: type 1 person, role 1 patient, id type (2, RFC-3881, "Patient Number"))
/// of the gateway's records, from identifiers a device or data set supplied. Audit records are encrypted at rest, so the
/// patient id may go there; it never goes to an operational log.
/// </summary>
internal static class AuditPatients
{
    /// <summary>The patient object of <paramref name="patientId"/>: none when it is empty or only padding, else one.</summary>
    /// <remarks>
    /// A hostile value must not make the record invalid (that would refuse the operation): DICOM padding is trimmed,
    /// characters XML cannot carry become U+FFFD, and the length is capped.
    /// </remarks>
    public static IEnumerable<AuditParticipantObject> Of(string? patientId) => Of([patientId]);

    /// <summary>Patient objects for several ids (distinct, at most <see cref="AuditRecordLimits.MaxIndexedPatients"/>).</summary>
    public static IEnumerable<AuditParticipantObject> Of(IEnumerable<string?> patientIds) =>
        patientIds.Select(Clean).OfType<string>().Distinct(StringComparer.Ordinal).Take(AuditRecordLimits.MaxIndexedPatients).Select(id => AuditRecords.Patient(id));

    /// <summary>The patient a query or retrieve identifier names: its Patient ID when it is one value without wildcards.</summary>
    public static IEnumerable<AuditParticipantObject> OfIdentifier(DicomDataset identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        IReadOnlyList<string> ids = identifier.GetStrings(DicomTags.PatientID);
        return ids.Count == 1 && ids[0].IndexOfAny(['*', '?']) < 0 ? Of(ids[0]) : [];
    }

    private static string? Clean(string? value)
    {
        string trimmed = (value ?? string.Empty).Trim(' ', '\0');
        if (trimmed.Length == 0)
        {
            return null;
        }

        var clean = new StringBuilder(Math.Min(trimmed.Length, AuditRecordLimits.MaxStringLength));
        for (int i = 0; i < trimmed.Length && clean.Length < AuditRecordLimits.MaxStringLength; i++)
        {
            char c = trimmed[i];
            if (char.IsHighSurrogate(c) && i + 1 < trimmed.Length && char.IsLowSurrogate(trimmed[i + 1]))
            {
                if (clean.Length + 2 > AuditRecordLimits.MaxStringLength)
                {
                    break;
                }

                clean.Append(c).Append(trimmed[++i]);
            }
            else
            {
                clean.Append(char.IsControl(c) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' ? '\uFFFD' : c);
            }
        }

        return clean.ToString();
    }
}
