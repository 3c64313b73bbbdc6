using Gateway.Dicom;

namespace Gateway.DicomWeb.Qido;

/// <summary>One matching key of a QIDO-RS query, for policy checks and audit records.</summary>
/// <param name="Path">The attribute, after the sequences that contain it ("ReferencedStudySequence.ReferencedSOPInstanceUID" is two tags).</param>
/// <param name="VR">The attribute's VR.</param>
/// <param name="Value">The value as the identifier holds it (a UID list joined with '\', a range with '-').</param>
public sealed record QidoMatchKey(IReadOnlyList<DicomTag> Path, DicomVR VR, string Value)
{
    /// <summary>The attribute's own tag (the last of <see cref="Path"/>).</summary>
    public DicomTag Tag => Path[^1];
}
