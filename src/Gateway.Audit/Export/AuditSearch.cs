using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Audit.Export;

/// <summary>Finds records: time, event and outcome from the clear header, the patient through its keyed hash, the rest after decryption.</summary>
public static class AuditSearch
{
    /// <summary>The records of the log in <paramref name="directory"/> that match <paramref name="filter"/>, in index order.</summary>
    /// <param name="directory">The audit log directory.</param>
    /// <param name="key">The data key (to decrypt).</param>
    /// <param name="filter">The criteria.</param>
    /// <param name="limit">Read only records with an index below this (e.g. a checkpoint's size).</param>
    /// <exception cref="AuditLogException">The log is malformed, or a selected record does not decrypt.</exception>
    public static IEnumerable<AuditSearchHit> Search(string directory, AuditDataKey key, AuditFilter filter, long limit = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(filter);
        var reader = new AuditLogReader(new AuditLogPaths(directory));
        foreach ((AuditLeaf leaf, _) in SearchLeaves(reader, key, filter, limit))
        {
            yield return new AuditSearchHit(leaf.Index, Decrypt(leaf, key));
        }
    }

    /// <summary>The durable records of a running <paramref name="log"/> that match <paramref name="filter"/>, in index order.</summary>
    /// <exception cref="AuditLogException">The log is malformed, or a selected record does not decrypt.</exception>
    public static IEnumerable<AuditSearchHit> Search(AuditLog log, AuditFilter filter)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Search(log.Paths.Root, log.DataKey, filter, log.Size);
    }

    /// <summary>Record <paramref name="index"/> of a running <paramref name="log"/>, decrypted, or null when there is none.</summary>
    /// <exception cref="AuditLogException">The log is malformed, or the record does not decrypt.</exception>
    public static AuditSearchHit? Read(AuditLog log, long index)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (index < 0 || index >= log.Size)
        {
            return null;
        }

        foreach ((AuditLeaf leaf, _) in new AuditLogReader(log.Paths).ReadLeaves(index))
        {
            return leaf.Index == index ? new AuditSearchHit(index, Decrypt(leaf, log.DataKey)) : null;
        }

        return null;
    }

    internal static IEnumerable<(AuditLeaf Leaf, AuditRecord Record)> SearchLeaves(AuditLogReader reader, AuditDataKey key, AuditFilter filter, long limit)
    {
        // Patient hashes depend on the data key: one per key of the ring, matched against the records of that key.
        Dictionary<uint, byte[]>? patientHashes = filter.PatientId is null ? null : key.PatientHashes(filter.PatientId);
        long? fromMs = filter.From?.ToUnixTimeMilliseconds();
        long? toMs = filter.To?.ToUnixTimeMilliseconds();
        foreach ((AuditLeaf leaf, _) in reader.ReadLeaves())
        {
            if (leaf.Index >= limit)
            {
                yield break;
            }

            if ((fromMs is { } from && leaf.EventTimeMs < from)
                || (toMs is { } to && leaf.EventTimeMs >= to)
                || (filter.EventId is { } eventId && leaf.EventIdCode != (int)eventId)
                || (filter.Outcome is { } outcome && leaf.OutcomeCode != (byte)outcome)
                || (patientHashes is not null && !(patientHashes.TryGetValue(leaf.KeyId, out byte[]? patientHash) && leaf.HasPatientHash(patientHash))))
            {
                continue;
            }

            AuditRecord record = Decrypt(leaf, key);
            if (filter.Matches(record))
            {
                yield return (leaf, record);
            }
        }
    }

    internal static AuditRecord Decrypt(AuditLeaf leaf, AuditDataKey key)
    {
        try
        {
            return AuditRecordSerializer.Deserialize(leaf.Decrypt(key));
        }
        catch (FormatException ex)
        {
            throw new AuditLogException($"record {leaf.Index}: {ex.Message}", ex);
        }
    }
}
