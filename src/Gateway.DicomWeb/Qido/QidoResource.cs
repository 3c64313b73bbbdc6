namespace Gateway.DicomWeb.Qido;

/// <summary>
/// The target resource of a QIDO-RS request (PS3.18 10.6.1): /studies, /series, /studies/{study}/series, /instances,
/// /studies/{study}/instances or /studies/{study}/series/{series}/instances.
/// </summary>
/// <param name="Level">What is searched for.</param>
/// <param name="StudyInstanceUid">The study in the path, or null.</param>
/// <param name="SeriesInstanceUid">The series in the path, or null (only with a study, at instance level).</param>
public sealed record QidoResource(QidoLevel Level, string? StudyInstanceUid = null, string? SeriesInstanceUid = null)
{
    /// <summary>GET /studies.</summary>
    public static QidoResource Studies() => new(QidoLevel.Study);

    /// <summary>GET /series, or /studies/{study}/series.</summary>
    public static QidoResource Series(string? studyInstanceUid = null) => new(QidoLevel.Series, studyInstanceUid);

    /// <summary>GET /instances, /studies/{study}/instances, or /studies/{study}/series/{series}/instances.</summary>
    public static QidoResource Instances(string? studyInstanceUid = null, string? seriesInstanceUid = null) =>
        new(QidoLevel.Instance, studyInstanceUid, seriesInstanceUid);
}
