using Gateway.Audit.Records;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Host.Audit;

/// <summary>
/// What the DICOM Instances Transferred record of a retrieve names (PS3.15 A.5.3.5: the studies, with SOP classes and
/// instance counts, and the patients): taken from the head of each instance as it streams through, never from a copy.
/// </summary>
/// <remarks>
/// Only the first <see cref="HeadBytes"/> of each data set are kept (Patient ID and Study Instance UID come early); a
/// data set whose identifiers lie beyond them, or that is deflated or malformed, is counted under the studies and
/// patient the request's identifier named. Thread-safe: sub-operations may run concurrently.
/// </remarks>
internal sealed class TransferredInstances
{
    /// <summary>Bytes of each data set's head that are kept to find its identifiers.</summary>
    public const int HeadBytes = 32 * 1024;

    private const int MaxValue = 256;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, int>> _studies = new(StringComparer.Ordinal);
    private readonly List<string> _patients = [];

    /// <summary>A stream that reads <paramref name="dataSet"/> through and keeps its head.</summary>
    public static HeadCapturingStream Capture(Stream dataSet) => new(dataSet, HeadBytes);

    /// <summary>Counts one transferred instance from its captured head.</summary>
    public async Task AddAsync(HeadCapturingStream head, DicomTransferSyntax syntax, string sopClassUid)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(syntax);
        (string? studyUid, string? patientId) = syntax.IsDeflated ? (null, null) : await IdentifiersAsync(head.Head, syntax).ConfigureAwait(false);
        lock (_lock)
        {
            Dictionary<string, int> classes = _studies.TryGetValue(studyUid ?? string.Empty, out Dictionary<string, int>? c) ? c : _studies[studyUid ?? string.Empty] = new(StringComparer.Ordinal);
            classes[sopClassUid] = classes.GetValueOrDefault(sopClassUid) + 1;
            if (patientId is not null && !_patients.Contains(patientId, StringComparer.Ordinal))
            {
                _patients.Add(patientId);
            }
        }
    }

    /// <summary>The participant objects: each study (instances whose study was not found count under the identifier's), then each patient.</summary>
    public IReadOnlyList<AuditParticipantObject> Objects(DicomDataset identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        IReadOnlyList<string> requested = [.. identifier.GetStrings(DicomTags.StudyInstanceUID).Where(u => u.Length > 0)];
        var objects = new List<AuditParticipantObject>();
        lock (_lock)
        {
            foreach ((string study, Dictionary<string, int> classes) in _studies.Where(s => s.Key.Length > 0).Take(AuditRecordLimits.MaxParticipantObjects / 2))
            {
                objects.Add(AuditRecords.Study(study, [.. classes.Select(c => new AuditSopClass(c.Key, c.Value))]));
            }

            foreach (string study in requested.Where(u => !_studies.ContainsKey(u)).Take(Math.Max(0, (AuditRecordLimits.MaxParticipantObjects / 2) - objects.Count)))
            {
                // Named by the request; the instances without a study of their own (if any) are counted here.
                IReadOnlyList<AuditSopClass> unknown = requested.Count == 1 && _studies.TryGetValue(string.Empty, out Dictionary<string, int>? u)
                    ? [.. u.Select(c => new AuditSopClass(c.Key, c.Value))]
                    : [];
                objects.Add(AuditRecords.Study(study, unknown));
            }

            objects.AddRange(AuditPatients.Of(_patients.Prepend(AuditPatients.OfIdentifier(identifier).FirstOrDefault()?.ObjectId)));
        }

        return objects;
    }

    // Patient ID and Study Instance UID from the top level of a data set's head; whatever the head holds before it ends.
    private static async Task<(string? StudyUid, string? PatientId)> IdentifiersAsync(ReadOnlyMemory<byte> head, DicomTransferSyntax syntax)
    {
        var captured = new DicomDataset();
        try
        {
            var reader = new DicomStreamReader(new MemoryStream(head.ToArray(), writable: false), syntax.Encoding, leaveOpen: false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    if (reader.Depth != 0 || reader.TokenType != DicomTokenType.Element)
                    {
                        continue;
                    }

                    if (reader.Tag > DicomTags.StudyInstanceUID)
                    {
                        break;
                    }

                    if ((reader.Tag == DicomTags.SpecificCharacterSet || reader.Tag == DicomTags.PatientID || reader.Tag == DicomTags.StudyInstanceUID) && reader.Length <= MaxValue)
                    {
                        captured.TryAdd(new DicomElement(reader.Tag, reader.VR, await reader.ReadValueAsync().ConfigureAwait(false)));
                    }
                }
            }
        }
        catch (DicomFormatException)
        {
            // The head ended inside an element, or the data set is malformed: keep what was found before.
        }

        string? study = captured.GetString(DicomTags.StudyInstanceUID)?.Trim(' ', '\0');
        return (string.IsNullOrEmpty(study) || !new DicomUid(study).IsValid ? null : study, captured.GetString(DicomTags.PatientID));
    }
}
