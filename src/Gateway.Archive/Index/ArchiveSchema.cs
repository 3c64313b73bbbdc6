namespace Gateway.Archive.Index;

/// <summary>The index's tables (schema version 1). Times are Unix milliseconds (UTC).</summary>
/// <remarks>
/// No column holds plaintext PHI: identifiers appear only as keyed hashes (<c>*_hash</c>), other patient and study
/// attributes only inside AES-GCM blobs (<c>attributes</c>, <c>last_error</c>). UIDs, dates, modality, numbers and sizes
/// are in the clear for search and ordering.
/// </remarks>
internal static class ArchiveSchema
{
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS key_wraps(
            purpose TEXT PRIMARY KEY,
            kek_version INTEGER NOT NULL,
            wrapped BLOB NOT NULL);

        CREATE TABLE IF NOT EXISTS studies(
            id INTEGER PRIMARY KEY,
            study_uid TEXT NOT NULL UNIQUE,
            patient_id_hash BLOB,
            patient_name_hash BLOB,
            patient_family_hash BLOB,
            accession_hash BLOB,
            study_date TEXT,
            study_time TEXT,
            attributes BLOB,
            first_received_at INTEGER NOT NULL,
            last_received_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS studies_patient_id ON studies(patient_id_hash);
        CREATE INDEX IF NOT EXISTS studies_patient_name ON studies(patient_name_hash);
        CREATE INDEX IF NOT EXISTS studies_patient_family ON studies(patient_family_hash);
        CREATE INDEX IF NOT EXISTS studies_accession ON studies(accession_hash);
        CREATE INDEX IF NOT EXISTS studies_date ON studies(study_date);

        CREATE TABLE IF NOT EXISTS series(
            id INTEGER PRIMARY KEY,
            study_id INTEGER NOT NULL REFERENCES studies(id),
            series_uid TEXT NOT NULL UNIQUE,
            modality TEXT,
            series_number INTEGER,
            series_date TEXT,
            series_time TEXT,
            body_part TEXT,
            attributes BLOB,
            first_received_at INTEGER NOT NULL,
            last_received_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS series_study ON series(study_id);

        CREATE TABLE IF NOT EXISTS instances(
            id INTEGER PRIMARY KEY,
            series_id INTEGER NOT NULL REFERENCES series(id),
            sop_instance_uid TEXT NOT NULL,
            sop_class_uid TEXT NOT NULL,
            transfer_syntax TEXT NOT NULL,
            instance_number INTEGER,
            acquisition_date TEXT,
            acquisition_time TEXT,
            rows INTEGER,
            columns INTEGER,
            frames INTEGER,
            size INTEGER NOT NULL,
            dataset_offset INTEGER NOT NULL,
            content_hash BLOB NOT NULL,
            received_at INTEGER NOT NULL,
            calling_ae TEXT NOT NULL,
            conflict INTEGER NOT NULL DEFAULT 0,
            object_name TEXT,
            object_id BLOB,
            kek_version INTEGER,
            wrapped_key BLOB,
            purged_at INTEGER);
        CREATE UNIQUE INDEX IF NOT EXISTS instances_primary ON instances(sop_instance_uid) WHERE conflict = 0;
        CREATE INDEX IF NOT EXISTS instances_uid ON instances(sop_instance_uid);
        CREATE INDEX IF NOT EXISTS instances_series ON instances(series_id);
        CREATE INDEX IF NOT EXISTS instances_object ON instances(object_name) WHERE object_name IS NOT NULL;
        CREATE INDEX IF NOT EXISTS instances_kek ON instances(kek_version) WHERE wrapped_key IS NOT NULL;

        CREATE TABLE IF NOT EXISTS outbox(
            id INTEGER PRIMARY KEY,
            instance_id INTEGER NOT NULL REFERENCES instances(id),
            destination TEXT NOT NULL,
            state INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            enqueued_at INTEGER NOT NULL,
            age_from INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            leased_at INTEGER,
            lease_token INTEGER,
            delivered_at INTEGER,
            dead_at INTEGER,
            service_ms INTEGER NOT NULL DEFAULT 0,
            last_error BLOB,
            UNIQUE(instance_id, destination));
        CREATE INDEX IF NOT EXISTS outbox_due ON outbox(destination, state, next_attempt_at);
        CREATE INDEX IF NOT EXISTS outbox_enqueued ON outbox(destination, enqueued_at);
        CREATE INDEX IF NOT EXISTS outbox_delivered ON outbox(destination, delivered_at) WHERE state = 2;
        CREATE INDEX IF NOT EXISTS outbox_instance ON outbox(instance_id);

        -- Undelivered items (pending or leased), kept exact by triggers so backpressure never counts the table.
        CREATE TABLE IF NOT EXISTS outbox_depth(id INTEGER PRIMARY KEY CHECK (id = 1), depth INTEGER NOT NULL);
        INSERT OR IGNORE INTO outbox_depth(id, depth) VALUES (1, 0);
        CREATE TRIGGER IF NOT EXISTS outbox_depth_insert AFTER INSERT ON outbox WHEN NEW.state IN (0, 1)
        BEGIN UPDATE outbox_depth SET depth = depth + 1 WHERE id = 1; END;
        CREATE TRIGGER IF NOT EXISTS outbox_depth_delete AFTER DELETE ON outbox WHEN OLD.state IN (0, 1)
        BEGIN UPDATE outbox_depth SET depth = depth - 1 WHERE id = 1; END;
        CREATE TRIGGER IF NOT EXISTS outbox_depth_update AFTER UPDATE OF state ON outbox
            WHEN (OLD.state IN (0, 1)) <> (NEW.state IN (0, 1))
        BEGIN UPDATE outbox_depth SET depth = depth + (CASE WHEN NEW.state IN (0, 1) THEN 1 ELSE -1 END) WHERE id = 1; END;
        """;
}
