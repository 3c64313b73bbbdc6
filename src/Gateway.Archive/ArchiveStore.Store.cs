using System.Buffers;
using System.Security.Cryptography;
using Gateway.Archive.Crypto;
using Gateway.Archive.Index;
using Gateway.Archive.Outbox;
using Gateway.Archive.Storage;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

public sealed partial class ArchiveStore
{
    // While a large object streams in, the free space is checked again every this many bytes.
    private const long SpaceCheckInterval = 16L * 1024 * 1024;

    /// <inheritdoc />
    /// <remarks>
    /// <para>
    /// The bytes are encrypted as they arrive (one chunk in memory) into <c>archive/tmp</c>; the same bytes feed a header
    /// parser that stops before the pixel data, so the index attributes come from the stream itself, never from a
    /// decrypted copy. The data set is stored exactly as received, after a File Meta Information that records the
    /// transfer syntax and the calling AE.
    /// </para>
    /// <para>
    /// Same SOP Instance UID twice: identical data set bytes (keyed content hash) are stored once and reported
    /// <see cref="ArchiveStoreOutcome.Duplicate"/>; different bytes keep the first as the indexed, forwarded instance and
    /// store the second as a flagged <see cref="ArchiveStoreOutcome.Conflict"/>, not forwarded, for an operator to resolve.
    /// </para>
    /// <para>
    /// The data set's own SOP Instance and Class UIDs must match the request's when present, and it must carry valid Study
    /// and Series Instance UIDs (<see cref="ArchiveRejectedException"/>). The stream is read to its end whenever the
    /// header was parsed, even when the instance is then refused.
    /// </para>
    /// </remarks>
    public async Task<ArchiveStoreResult> StoreAsync(ArchiveStoreRequest request, Stream dataSet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(dataSet);
        ThrowIfDisposed();
        string[] destinations = ValidateRequest(request);
        try
        {
            CheckCapacity(destinations.Length);
        }
        catch (ArchiveFullException ex)
        {
            ArchiveMessages.Refused(_logger, request.SopInstanceUid, request.CallingAE, ex.Message);
            throw;
        }

        byte[] dataKey = RandomNumberGenerator.GetBytes(ObjectFormat.DataKeyLength);
        string? slot = null;
        string? placed = null;
        int? headerVersion = null;
        bool commitStarted = false;
        bool committed = false;
        try
        {
            // A slot is an empty file whose name is already durable: the object costs one fsync of its own bytes. The
            // rename to its final name is made durable by the index commit (recovery rolls a committed slot forward).
            (byte[] objectId, slot) = await _slots.TakeAsync().ConfigureAwait(false);
            string name = ObjectFormat.NameOf(objectId);
            headerVersion = BeginObjectUnder();
            var header = new ObjectHeader(
                _options.ChunkSize,
                headerVersion.Value,
                RandomNumberGenerator.GetBytes(ObjectFormat.NoncePrefixLength),
                objectId,
                _options.ObjectFormatVersion == ObjectFormat.Version1 ? null : _keys.Ring.WrapUnder(headerVersion.Value, dataKey));
            Written written = await WriteObjectAsync(slot, header, dataKey, request, dataSet, cancellationToken).ConfigureAwait(false);
            ValidateIdentifiers(request, written.Header);

            placed = ObjectPath(name);
            File.Move(slot, placed);

            var pending = new PendingInstance(request, written, name, objectId, dataKey, destinations, NowMs());
            commitStarted = true;

            // Not cancelled from here on: the object is in place, and an abandoned commit would only leave it unreferenced
            // until the next open. A sender that gave up meanwhile resends and gets a duplicate.
            CommitResult result = await _db.WriteAsync((c, tx) => Commit(c, tx, pending), CancellationToken.None).ConfigureAwait(false);
            committed = true;
            if (!result.ObjectKept)
            {
                // A duplicate: the bytes are already archived. A crash before this delete leaves an orphan for recovery.
                TryDelete(placed);
            }

            if (result.Outcome == ArchiveStoreOutcome.Conflict)
            {
                ArchiveMessages.Conflict(_logger, request.SopInstanceUid, request.CallingAE, result.InstanceId);
            }

            ArchiveMessages.Stored(_logger, request.SopInstanceUid, request.CallingAE, result.Outcome, written.DataSetLength, result.Queued.Count);
            return new ArchiveStoreResult
            {
                Outcome = result.Outcome,
                InstanceId = result.InstanceId,
                SopInstanceUid = request.SopInstanceUid,
                StudyInstanceUid = written.Header.StudyInstanceUid!,
                SeriesInstanceUid = written.Header.SeriesInstanceUid!,
                PatientId = written.Header.Study.PatientId,
                DataSetLength = written.DataSetLength,
                QueuedDestinations = result.Queued,
            };
        }
        catch (Exception ex) when (IsDiskFull(ex))
        {
            ArchiveMessages.Refused(_logger, request.SopInstanceUid, request.CallingAE, "the archive volume is full");
            throw new ArchiveFullException(ArchiveFullReason.DiskSpace, "the archive volume ran out of space while storing the instance", ex);
        }
        catch (ArchiveRejectedException ex)
        {
            ArchiveMessages.Refused(_logger, request.SopInstanceUid, request.CallingAE, ex.Reason.ToString());
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            if (headerVersion is { } v)
            {
                EndObjectUnder(v);
            }

            if (slot is not null && placed is null)
            {
                TryDelete(slot);
            }

            if (placed is not null && !commitStarted)
            {
                TryDelete(placed);
            }
            else if (placed is not null && !committed)
            {
                // The commit failed, or its outcome is unknown: if it reached the WAL, the row references the object after
                // all, so it is not deleted here; the next open removes it when no row references it.
                ArchiveMessages.CommitFailed(_logger, request.SopInstanceUid, Path.GetFileNameWithoutExtension(placed));
            }
        }
    }

    private static string[] ValidateRequest(ArchiveStoreRequest request)
    {
        if (!new DicomUid(request.SopInstanceUid).IsValid)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.InvalidRequest, "the SOP Instance UID is not a valid UID");
        }

        if (!new DicomUid(request.SopClassUid).IsValid)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.InvalidRequest, "the SOP Class UID is not a valid UID");
        }

        if (request.TransferSyntax is null)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.InvalidRequest, "no transfer syntax");
        }

        if (!IsAETitle(request.CallingAE))
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.InvalidRequest, "the calling AE title is not a valid AE title");
        }

        var destinations = new List<string>();
        foreach (string destination in request.Destinations ?? [])
        {
            if (!IsAETitle(destination))
            {
                throw new ArchiveRejectedException(ArchiveRejectReason.InvalidRequest, "a destination is not a valid AE title");
            }

            string d = destination.Trim();
            if (!destinations.Contains(d, StringComparer.Ordinal))
            {
                destinations.Add(d);
            }
        }

        return [.. destinations];
    }

    /// <summary>
    /// PS3.5 6.2: AE titles are 1-16 characters of the default repertoire, no backslash or control characters (leading
    /// and trailing spaces are not significant). Calling AE titles and outbox destinations must pass it.
    /// </summary>
    public static bool IsAETitle(string? value)
    {
        string? v = value?.Trim();
        return v is { Length: > 0 and <= 16 } && v.All(c => c is >= ' ' and <= '~' && c != '\\');
    }

    private static void ValidateIdentifiers(ArchiveStoreRequest request, InstanceHeader header)
    {
        if (header.SopInstanceUid is { } sop && sop != request.SopInstanceUid)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.IdentifierMismatch, "the data set's SOP Instance UID differs from the request's");
        }

        if (header.SopClassUid is { } cls && cls != request.SopClassUid)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.IdentifierMismatch, "the data set's SOP Class UID differs from the request's");
        }

        if (header.StudyInstanceUid is null || !new DicomUid(header.StudyInstanceUid).IsValid)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.MissingIdentifiers, "the data set has no valid Study Instance UID");
        }

        if (header.SeriesInstanceUid is null || !new DicomUid(header.SeriesInstanceUid).IsValid)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.MissingIdentifiers, "the data set has no valid Series Instance UID");
        }

        if (request.ExpectedStudyInstanceUid is { } expected && !string.Equals(expected, header.StudyInstanceUid, StringComparison.Ordinal))
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.StudyMismatch, "the data set's Study Instance UID is not the study the request stores into");
        }
    }

    private static bool IsDiskFull(Exception ex) => ex switch
    {
        // ENOSPC (28) and EDQUOT (122) on Unix; ERROR_HANDLE_DISK_FULL (39) and ERROR_DISK_FULL (112) on Windows.
        IOException io when io is not ArchiveFullException => (io.HResult & 0xFFFF) is 28 or 122 or 39 or 112,
        SqliteException sqlite => sqlite.SqliteErrorCode == 13, // SQLITE_FULL
        _ => false,
    };

    private void CheckCapacity(int destinations)
    {
        long free = FreeBytes();
        if (free < _options.MinimumFreeBytes)
        {
            throw new ArchiveFullException(ArchiveFullReason.DiskSpace, $"the archive volume has {free} bytes free, below the minimum of {_options.MinimumFreeBytes}");
        }

        if (destinations > 0)
        {
            long depth = Outbox.Depth();
            if (depth + destinations > _options.MaxOutboxDepth)
            {
                throw new ArchiveFullException(ArchiveFullReason.OutboxDepth, $"the outbox holds {depth} undelivered items, at its bound of {_options.MaxOutboxDepth}");
            }
        }
    }

    private long FreeBytes() => new DriveInfo(_options.ArchiveDirectory).AvailableFreeSpace;

    private async Task<Written> WriteObjectAsync(string slot, ObjectHeader header, byte[] dataKey, ArchiveStoreRequest request, Stream dataSet, CancellationToken cancellationToken)
    {
        byte[] meta = await BuildFileMetaInformationAsync(request, cancellationToken).ConfigureAwait(false);
        // Written on this thread: on Linux an asynchronous file write is a blocking pwrite on another pool thread, two
        // thread switches per chunk for nothing.
        var file = new InlineFileStream(new FileStream(slot, FileSync.ExistingPrivateFile()));
        await using (file.ConfigureAwait(false))
        {
            using var writer = new EncryptingObjectWriter(file, dataKey, header, request.SopInstanceUid);
            using IncrementalHash hash = _keys.Hasher.CreateContentHash();
            await writer.WriteAsync(meta, cancellationToken).ConfigureAwait(false);
            long nextSpaceCheck = SpaceCheckInterval;
            var tee = new TeeReadStream(dataSet, async (bytes, token) =>
            {
                hash.AppendData(bytes.Span);
                await writer.WriteAsync(bytes, token).ConfigureAwait(false);
                if (writer.PlaintextLength >= nextSpaceCheck)
                {
                    nextSpaceCheck += SpaceCheckInterval;
                    long free = FreeBytes();
                    if (free < _options.MinimumFreeBytes / 2)
                    {
                        throw new ArchiveFullException(ArchiveFullReason.DiskSpace, $"the archive volume fell to {free} bytes free while the instance was written");
                    }
                }
            });

            InstanceHeader parsed = await HeaderExtractor.ExtractAsync(tee, request.TransferSyntax, _options.ReaderOptions, cancellationToken).ConfigureAwait(false);

            // The rest (pixel data) goes through the tee to the encryptor only.
            await DrainAsync(tee, cancellationToken).ConfigureAwait(false);

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
            return new Written(parsed, tee.BytesRead, meta.Length, hash.GetHashAndReset());
        }
    }

    /// <summary>Reads <paramref name="stream"/> to its end for what its reads do on the way (hash, encrypt); the scratch buffer is zeroed.</summary>
    private static async Task DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await stream.ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch);
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static async Task<byte[]> BuildFileMetaInformationAsync(ArchiveStoreRequest request, CancellationToken cancellationToken)
    {
        DicomDataset meta = DicomFileWriter.BuildFileMetaInformation(null, new DicomUid(request.SopClassUid), new DicomUid(request.SopInstanceUid), request.TransferSyntax);
        meta.SetString(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, request.CallingAE.Trim());
        using var buffer = new MemoryStream();
        await DicomFileWriter.WriteHeaderAsync(buffer, meta, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private void EnsureObjectDirectory(string directory)
    {
        if (_objectDirectories.ContainsKey(directory))
        {
            return;
        }

        FileSync.CreateOwnerOnlyDirectory(directory);
        _objectDirectories[directory] = true;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for recovery at the next open.
        }
        catch (UnauthorizedAccessException)
        {
            // Left for recovery at the next open.
        }
    }

    private CommitResult Commit(SqliteConnection c, SqliteTransaction tx, PendingInstance p)
    {
        string uid = p.Request.SopInstanceUid;
        var existing = new List<(long Id, bool Conflict, byte[] Hash, bool Purged)>();
        using (SqliteCommand select = ArchiveDatabase.Command(c, tx, "SELECT id, conflict, content_hash, object_name IS NULL FROM instances WHERE sop_instance_uid = $p0 ORDER BY id", uid))
        using (SqliteDataReader row = select.ExecuteReader())
        {
            while (row.Read())
            {
                existing.Add((row.GetInt64(0), row.GetInt64(1) != 0, (byte[])row[2], row.GetInt64(3) != 0));
            }
        }

        // The current key version, read under the writer gate: a rotation cannot slip between this wrap and the commit.
        byte[] wrapped = _keys.Ring.Wrap(p.DataKey, out int kekVersion);
        foreach ((long id, bool conflict, byte[] hash, bool purged) in existing)
        {
            if (!CryptographicOperations.FixedTimeEquals(hash, p.Written.ContentHash))
            {
                continue;
            }

            bool keep = false;
            if (purged)
            {
                // Same bytes as an instance whose object retention removed: it is archived again under the old row.
                ArchiveDatabase.Execute(
                    c,
                    "UPDATE instances SET object_name = $p0, object_id = $p1, kek_version = $p2, wrapped_key = $p3, purged_at = NULL, dataset_offset = $p4, transfer_syntax = $p5 WHERE id = $p6",
                    tx,
                    p.ObjectName,
                    p.ObjectId,
                    kekVersion,
                    wrapped,
                    p.Written.DataSetOffset,
                    p.Request.TransferSyntax.Uid.Value,
                    id);
                keep = true;
            }

            IReadOnlyList<string> queued = conflict ? [] : ArchiveOutbox.Enqueue(c, tx, id, p.Destinations, p.Now);
            return new CommitResult(ArchiveStoreOutcome.Duplicate, id, keep, queued);
        }

        bool isConflict = existing.Any(e => !e.Conflict);
        long studyId = UpsertStudy(c, tx, p);
        long seriesId = UpsertSeries(c, tx, p, studyId);
        InstanceHeader h = p.Written.Header;
        using SqliteCommand insert = ArchiveDatabase.Command(
            c,
            tx,
            """
            INSERT INTO instances(series_id, sop_instance_uid, sop_class_uid, transfer_syntax, instance_number, acquisition_date,
                acquisition_time, rows, columns, frames, size, dataset_offset, content_hash, received_at, calling_ae, conflict,
                object_name, object_id, kek_version, wrapped_key)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16, $p17, $p18, $p19)
            RETURNING id
            """,
            seriesId,
            uid,
            p.Request.SopClassUid,
            p.Request.TransferSyntax.Uid.Value,
            h.InstanceNumber,
            h.AcquisitionDate,
            h.AcquisitionTime,
            h.Rows,
            h.Columns,
            h.NumberOfFrames,
            p.Written.DataSetLength,
            p.Written.DataSetOffset,
            p.Written.ContentHash,
            p.Now,
            p.Request.CallingAE.Trim(),
            isConflict ? 1 : 0,
            p.ObjectName,
            p.ObjectId,
            kekVersion,
            wrapped);
        long instanceId = (long)insert.ExecuteScalar()!;
        if (isConflict)
        {
            return new CommitResult(ArchiveStoreOutcome.Conflict, instanceId, true, []);
        }

        return new CommitResult(ArchiveStoreOutcome.Stored, instanceId, true, ArchiveOutbox.Enqueue(c, tx, instanceId, p.Destinations, p.Now));
    }

    private long UpsertStudy(SqliteConnection c, SqliteTransaction tx, PendingInstance p)
    {
        InstanceHeader h = p.Written.Header;
        string studyUid = h.StudyInstanceUid!;
        string context = "study:" + studyUid;
        string? name = IdentifierHasher.NormalizeName(h.Study.PatientName);
        byte[]? patientIdHash = _keys.Hasher.Hash("PatientID", IdentifierHasher.NormalizeIdentifier(h.Study.PatientId));
        byte[]? nameHash = _keys.Hasher.Hash("PatientName", name);
        byte[]? familyHash = _keys.Hasher.Hash("PatientFamilyName", IdentifierHasher.FamilyName(name));
        byte[]? accessionHash = _keys.Hasher.Hash("AccessionNumber", IdentifierHasher.NormalizeIdentifier(h.Study.AccessionNumber));

        long id;
        byte[]? storedBlob;
        byte[]? storedPatientIdHash;
        using (SqliteCommand select = ArchiveDatabase.Command(c, tx, "SELECT id, attributes, patient_id_hash FROM studies WHERE study_uid = $p0", studyUid))
        using (SqliteDataReader row = select.ExecuteReader())
        {
            if (!row.Read())
            {
                row.Close();
                using SqliteCommand insert = ArchiveDatabase.Command(
                    c,
                    tx,
                    """
                    INSERT INTO studies(study_uid, patient_id_hash, patient_name_hash, patient_family_hash, accession_hash, study_date,
                        study_time, attributes, first_received_at, last_received_at)
                    VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p8) RETURNING id
                    """,
                    studyUid,
                    patientIdHash,
                    nameHash,
                    familyHash,
                    accessionHash,
                    h.StudyDate,
                    h.StudyTime,
                    _keys.Attributes.Encrypt(context, AttributeCodec.Encode(h.Study)),
                    p.Now);
                return (long)insert.ExecuteScalar()!;
            }

            id = row.GetInt64(0);
            storedBlob = row.IsDBNull(1) ? null : (byte[])row[1];
            storedPatientIdHash = row.IsDBNull(2) ? null : (byte[])row[2];
        }

        // A study arriving in pieces merges under its UID: attributes the first piece lacked are taken from later ones.
        if (storedPatientIdHash is not null && patientIdHash is not null && !CryptographicOperations.FixedTimeEquals(storedPatientIdHash, patientIdHash))
        {
            ArchiveMessages.PatientIdentityDiffers(_logger, studyUid);
        }

        StudyAttributes stored = storedBlob is null ? new StudyAttributes() : AttributeCodec.DecodeStudy(_keys.Attributes.Decrypt(context, storedBlob));
        StudyAttributes merged = Merge(stored, h.Study);
        byte[]? blob = merged == stored && storedBlob is not null ? storedBlob : _keys.Attributes.Encrypt(context, AttributeCodec.Encode(merged));
        ArchiveDatabase.Execute(
            c,
            """
            UPDATE studies SET patient_id_hash = COALESCE(patient_id_hash, $p1), patient_name_hash = COALESCE(patient_name_hash, $p2),
                patient_family_hash = COALESCE(patient_family_hash, $p3), accession_hash = COALESCE(accession_hash, $p4),
                study_date = COALESCE(study_date, $p5), study_time = COALESCE(study_time, $p6), attributes = $p7,
                last_received_at = MAX(last_received_at, $p8)
            WHERE id = $p0
            """,
            tx,
            id,
            patientIdHash,
            nameHash,
            familyHash,
            accessionHash,
            h.StudyDate,
            h.StudyTime,
            blob,
            p.Now);
        return id;
    }

    private long UpsertSeries(SqliteConnection c, SqliteTransaction tx, PendingInstance p, long studyId)
    {
        InstanceHeader h = p.Written.Header;
        string seriesUid = h.SeriesInstanceUid!;
        string context = "series:" + seriesUid;
        long id;
        byte[]? storedBlob;
        using (SqliteCommand select = ArchiveDatabase.Command(c, tx, "SELECT id, study_id, attributes FROM series WHERE series_uid = $p0", seriesUid))
        using (SqliteDataReader row = select.ExecuteReader())
        {
            if (!row.Read())
            {
                row.Close();
                using SqliteCommand insert = ArchiveDatabase.Command(
                    c,
                    tx,
                    """
                    INSERT INTO series(study_id, series_uid, modality, series_number, series_date, series_time, body_part, attributes,
                        first_received_at, last_received_at)
                    VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p8) RETURNING id
                    """,
                    studyId,
                    seriesUid,
                    h.Modality,
                    h.SeriesNumber,
                    h.SeriesDate,
                    h.SeriesTime,
                    h.BodyPartExamined,
                    _keys.Attributes.Encrypt(context, AttributeCodec.Encode(h.Series)),
                    p.Now);
                return (long)insert.ExecuteScalar()!;
            }

            id = row.GetInt64(0);
            if (row.GetInt64(1) != studyId)
            {
                ArchiveMessages.SeriesInOtherStudy(_logger, seriesUid, h.StudyInstanceUid!);
            }

            storedBlob = row.IsDBNull(2) ? null : (byte[])row[2];
        }

        SeriesAttributes stored = storedBlob is null ? new SeriesAttributes() : AttributeCodec.DecodeSeries(_keys.Attributes.Decrypt(context, storedBlob));
        SeriesAttributes merged = new() { SeriesDescription = stored.SeriesDescription ?? h.Series.SeriesDescription };
        byte[]? blob = merged == stored && storedBlob is not null ? storedBlob : _keys.Attributes.Encrypt(context, AttributeCodec.Encode(merged));
        ArchiveDatabase.Execute(
            c,
            """
            UPDATE series SET modality = COALESCE(modality, $p1), series_number = COALESCE(series_number, $p2),
                series_date = COALESCE(series_date, $p3), series_time = COALESCE(series_time, $p4), body_part = COALESCE(body_part, $p5),
                attributes = $p6, last_received_at = MAX(last_received_at, $p7)
            WHERE id = $p0
            """,
            tx,
            id,
            h.Modality,
            h.SeriesNumber,
            h.SeriesDate,
            h.SeriesTime,
            h.BodyPartExamined,
            blob,
            p.Now);
        return id;
    }

    private static StudyAttributes Merge(StudyAttributes first, StudyAttributes later) => new()
    {
        PatientName = first.PatientName ?? later.PatientName,
        PatientId = first.PatientId ?? later.PatientId,
        IssuerOfPatientId = first.IssuerOfPatientId ?? later.IssuerOfPatientId,
        PatientBirthDate = first.PatientBirthDate ?? later.PatientBirthDate,
        PatientSex = first.PatientSex ?? later.PatientSex,
        AccessionNumber = first.AccessionNumber ?? later.AccessionNumber,
        StudyDescription = first.StudyDescription ?? later.StudyDescription,
        ReferringPhysicianName = first.ReferringPhysicianName ?? later.ReferringPhysicianName,
        StudyId = first.StudyId ?? later.StudyId,
    };

    internal sealed record Written(InstanceHeader Header, long DataSetLength, int DataSetOffset, byte[] ContentHash);

    internal sealed record PendingInstance(
        ArchiveStoreRequest Request,
        Written Written,
        string ObjectName,
        byte[] ObjectId,
        byte[] DataKey,
        IReadOnlyList<string> Destinations,
        long Now);

    private sealed record CommitResult(ArchiveStoreOutcome Outcome, long InstanceId, bool ObjectKept, IReadOnlyList<string> Queued);
}
