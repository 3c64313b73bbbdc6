namespace Gateway.Dicom.Network.Services;

/// <summary>One matching key of an identifier, resolved against <see cref="QueryRetrieveAttributes"/>.</summary>
/// <param name="Tag">The attribute.</param>
/// <param name="Level">The level whose entity holds (or computes) the attribute.</param>
/// <param name="VR">The VR the matching rules follow.</param>
/// <param name="Values">The key's values (decoded, padding removed).</param>
/// <param name="IsComputed">True for an attribute computed from the index rather than read from the files.</param>
internal sealed record QueryCondition(DicomTag Tag, QueryRetrieveLevel Level, DicomVR VR, IReadOnlyList<string> Values, bool IsComputed);
