using Gateway.Archive.Crypto;
using Gateway.Archive.Index;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

public sealed partial class ArchiveStore
{
    private const string InstanceColumns = """
        i.id, i.sop_instance_uid, i.sop_class_uid, se.series_uid, st.study_uid, i.transfer_syntax, i.instance_number,
        i.acquisition_date, i.acquisition_time, i.rows, i.columns, i.frames, i.size, i.received_at, i.calling_ae, i.conflict,
        i.object_name IS NULL
        FROM instances i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
        """;

    /// <summary>Finds studies (most recent study date first) that have at least one archived instance.</summary>
    public async Task<IReadOnlyList<ArchivedStudy>> FindStudiesAsync(ArchiveStudyQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        return await FindStudiesCoreAsync(query, includePurged: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One study by UID (also when all its objects were purged), or null.</summary>
    public async Task<ArchivedStudy?> GetStudyAsync(string studyInstanceUid, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(studyInstanceUid);
        ThrowIfDisposed();
        IReadOnlyList<ArchivedStudy> found = await FindStudiesCoreAsync(new ArchiveStudyQuery { StudyInstanceUid = studyInstanceUid, Limit = 1 }, includePurged: true, cancellationToken).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    /// <summary>
    /// The series of a study, ordered by Series Number, then the earliest Acquisition Time of their instances, then the
    /// lowest Instance Number (unknown values last), then UID.
    /// </summary>
    /// <param name="studyInstanceUid">The study.</param>
    /// <param name="includePurged">Also count instances whose objects retention removed.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<IReadOnlyList<ArchivedSeries>> ListSeriesAsync(string studyInstanceUid, bool includePurged, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(studyInstanceUid);
        ThrowIfDisposed();
        var list = new List<ArchivedSeries>();
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            """
            SELECT se.series_uid, st.study_uid, se.modality, se.series_number, se.series_date, se.series_time, se.body_part, se.attributes,
                MIN(COALESCE(i.acquisition_date, '99999999') || COALESCE(i.acquisition_time, '999999.999999')) AS first_acquisition,
                MIN(COALESCE(i.instance_number, 2147483647)) AS first_number, COUNT(i.id)
            FROM series se JOIN studies st ON st.id = se.study_id
                JOIN instances i ON i.series_id = se.id AND i.conflict = 0 AND ($p1 OR i.object_name IS NOT NULL)
            WHERE st.study_uid = $p0
            GROUP BY se.id
            ORDER BY se.series_number IS NULL, se.series_number, first_acquisition, first_number, se.series_uid
            """,
            studyInstanceUid,
            includePurged);
        using SqliteDataReader r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string seriesUid = r.GetString(0);
            SeriesAttributes attributes = r.IsDBNull(7) ? new SeriesAttributes() : AttributeCodec.DecodeSeries(_keys.Attributes.Decrypt("series:" + seriesUid, (byte[])r[7]));
            string firstAcquisition = r.GetString(8);
            list.Add(new ArchivedSeries
            {
                SeriesInstanceUid = seriesUid,
                StudyInstanceUid = r.GetString(1),
                Modality = r.IsDBNull(2) ? null : r.GetString(2),
                SeriesNumber = r.IsDBNull(3) ? null : r.GetInt32(3),
                SeriesDate = r.IsDBNull(4) ? null : r.GetString(4),
                SeriesTime = r.IsDBNull(5) ? null : r.GetString(5),
                BodyPartExamined = r.IsDBNull(6) ? null : r.GetString(6),
                SeriesDescription = attributes.SeriesDescription,
                FirstAcquisition = firstAcquisition.StartsWith("99999999999999", StringComparison.Ordinal) ? null : firstAcquisition,
                InstanceCount = r.GetInt32(10),
            });
        }

        return list;
    }

    /// <summary>
    /// The instances of a series (conflict copies excluded), ordered by Acquisition Time (date, then time), then Instance
    /// Number (unknown values last), then UID.
    /// </summary>
    /// <param name="seriesInstanceUid">The series.</param>
    /// <param name="includePurged">Also list instances whose objects retention removed.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<IReadOnlyList<ArchivedInstanceInfo>> ListInstancesAsync(string seriesInstanceUid, bool includePurged, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(seriesInstanceUid);
        ThrowIfDisposed();
        return await ReadInstancesAsync(
            $"""
            SELECT {InstanceColumns}
            WHERE se.series_uid = $p0 AND i.conflict = 0 AND ($p1 OR i.object_name IS NOT NULL)
            ORDER BY i.acquisition_date IS NULL, i.acquisition_date, i.acquisition_time IS NULL, i.acquisition_time,
                i.instance_number IS NULL, i.instance_number, i.sop_instance_uid
            """,
            cancellationToken,
            seriesInstanceUid,
            includePurged).ConfigureAwait(false);
    }

    /// <summary>The indexed (first) instance with this SOP Instance UID, purged or not; null when unknown.</summary>
    public async Task<ArchivedInstanceInfo?> GetInstanceAsync(string sopInstanceUid, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sopInstanceUid);
        ThrowIfDisposed();
        IReadOnlyList<ArchivedInstanceInfo> found = await ReadInstancesAsync(
            $"SELECT {InstanceColumns} WHERE i.sop_instance_uid = $p0 AND i.conflict = 0",
            cancellationToken,
            sopInstanceUid).ConfigureAwait(false);
        return found.Count > 0 ? found[0] : null;
    }

    /// <summary>Conflict copies (different bytes received under an archived SOP Instance UID), of one UID or all, oldest first.</summary>
    public Task<IReadOnlyList<ArchivedInstanceInfo>> ListConflictsAsync(string? sopInstanceUid, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return ReadInstancesAsync(
            $"SELECT {InstanceColumns} WHERE i.conflict = 1 AND ($p0 IS NULL OR i.sop_instance_uid = $p0) ORDER BY i.id",
            cancellationToken,
            sopInstanceUid);
    }

    private async Task<IReadOnlyList<ArchivedStudy>> FindStudiesCoreAsync(ArchiveStudyQuery query, bool includePurged, CancellationToken cancellationToken)
    {
        string? name = IdentifierHasher.NormalizeName(query.PatientName);
        var list = new List<ArchivedStudy>();
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(
            reader,
            null,
            """
            WITH available AS (
                SELECT se.study_id, COUNT(DISTINCT i.series_id) AS series_count, COUNT(*) AS instance_count
                FROM instances i JOIN series se ON se.id = i.series_id
                WHERE i.conflict = 0 AND ($p10 OR i.object_name IS NOT NULL)
                GROUP BY se.study_id)
            SELECT st.study_uid, st.study_date, st.study_time, st.attributes, st.first_received_at, st.last_received_at,
                (SELECT GROUP_CONCAT(m, '\') FROM (SELECT DISTINCT se.modality AS m FROM series se
                    WHERE se.study_id = st.id AND se.modality IS NOT NULL ORDER BY se.modality)),
                a.series_count, a.instance_count
            FROM studies st JOIN available a ON a.study_id = st.id
            WHERE ($p0 IS NULL OR st.patient_id_hash = $p0) AND ($p1 IS NULL OR st.patient_name_hash = $p1)
              AND ($p2 IS NULL OR st.patient_family_hash = $p2) AND ($p3 IS NULL OR st.accession_hash = $p3)
              AND ($p4 IS NULL OR st.study_uid = $p4) AND ($p5 IS NULL OR st.study_date >= $p5) AND ($p6 IS NULL OR st.study_date <= $p6)
              AND ($p7 IS NULL OR EXISTS (SELECT 1 FROM series se WHERE se.study_id = st.id AND se.modality = $p7))
            ORDER BY st.study_date IS NULL, st.study_date DESC, st.study_time DESC, st.id
            LIMIT $p8 OFFSET $p9
            """,
            _keys.Hasher.Hash("PatientID", IdentifierHasher.NormalizeIdentifier(query.PatientId)),
            _keys.Hasher.Hash("PatientName", name),
            _keys.Hasher.Hash("PatientFamilyName", IdentifierHasher.NormalizeName(query.PatientFamilyName)),
            _keys.Hasher.Hash("AccessionNumber", IdentifierHasher.NormalizeIdentifier(query.AccessionNumber)),
            query.StudyInstanceUid,
            query.StudyDateFrom?.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
            query.StudyDateTo?.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
            query.Modality,
            Math.Max(1, query.Limit),
            Math.Max(0, query.Offset),
            includePurged);
        using SqliteDataReader r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string studyUid = r.GetString(0);
            list.Add(new ArchivedStudy
            {
                StudyInstanceUid = studyUid,
                StudyDate = r.IsDBNull(1) ? null : r.GetString(1),
                StudyTime = r.IsDBNull(2) ? null : r.GetString(2),
                Attributes = r.IsDBNull(3) ? new StudyAttributes() : AttributeCodec.DecodeStudy(_keys.Attributes.Decrypt("study:" + studyUid, (byte[])r[3])),
                FirstReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                LastReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                ModalitiesInStudy = r.IsDBNull(6) ? [] : r.GetString(6).Split('\\'),
                SeriesCount = r.GetInt32(7),
                InstanceCount = r.GetInt32(8),
            });
        }

        return list;
    }

    private async Task<IReadOnlyList<ArchivedInstanceInfo>> ReadInstancesAsync(string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        var list = new List<ArchivedInstanceInfo>();
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(reader, null, sql, parameters);
        using SqliteDataReader r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new ArchivedInstanceInfo
            {
                Id = r.GetInt64(0),
                SopInstanceUid = r.GetString(1),
                SopClassUid = r.GetString(2),
                SeriesInstanceUid = r.GetString(3),
                StudyInstanceUid = r.GetString(4),
                TransferSyntaxUid = r.GetString(5),
                InstanceNumber = r.IsDBNull(6) ? null : r.GetInt32(6),
                AcquisitionDate = r.IsDBNull(7) ? null : r.GetString(7),
                AcquisitionTime = r.IsDBNull(8) ? null : r.GetString(8),
                Rows = r.IsDBNull(9) ? null : r.GetInt32(9),
                Columns = r.IsDBNull(10) ? null : r.GetInt32(10),
                NumberOfFrames = r.IsDBNull(11) ? null : r.GetInt32(11),
                Size = r.GetInt64(12),
                ReceivedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(13)),
                CallingAE = r.GetString(14),
                IsConflict = r.GetInt64(15) != 0,
                IsPurged = r.GetInt64(16) != 0,
            });
        }

        return list;
    }
}
