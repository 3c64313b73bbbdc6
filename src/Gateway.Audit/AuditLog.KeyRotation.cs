using Gateway.Audit.Records;
using Gateway.Audit.Storage;

namespace Gateway.Audit;

/// <content>Rotation of the record-encryption key, recorded in the log itself.</content>
public sealed partial class AuditLog
{
    private readonly SemaphoreSlim _rotation = new(1, 1);

    /// <summary>
    /// Adds a new random data key to the log's key file and encrypts every record appended from now on with it; older
    /// records keep the key that encrypted them (each record names its key id), and verification is unaffected since leaf
    /// hashes cover ciphertext. The rotation is recorded as a Security Alert (Security Configuration) under the new key.
    /// </summary>
    /// <param name="requestor">Who rotates (the active participant of the record).</param>
    /// <param name="source">The audit source of the record.</param>
    /// <param name="cancellationToken">Stops waiting for the record (the rotation itself is not undone).</param>
    /// <returns>The new key's id, and the index of the record of the rotation.</returns>
    /// <exception cref="AuditLogException">
    /// The log was opened with a key given in memory (<see cref="AuditLogOptions.DataKey"/>: rotate it where it is kept),
    /// the key file cannot be rewritten, or the record could not be made durable.
    /// </exception>
    public async Task<(uint KeyId, long RecordIndex)> RotateDataKeyAsync(AuditActiveParticipant requestor, AuditSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestor);
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfUnusable();
        string keyFile = _dataKeyFile ?? throw new AuditLogException("the audit log was given its data key in memory; rotate the key where it is kept");
        await _rotation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            uint previous = _dataKey.KeyId;
            uint keyId = AuditDataKey.Rotate(keyFile);
            _dataKey.Refresh(keyFile);
            AuditLogMessages.DataKeyRotated(_logger, previous, keyId);
            var record = new AuditRecord
            {
                // PS3.15 A.5.3.11 Security Alert, event type Security Configuration: the log's own protection changed.
                EventId = AuditEventId.SecurityAlert,
                Action = AuditEventAction.Execute,
                EventTime = _time.GetUtcNow(),
                Outcome = AuditEventOutcome.Success,
                EventTypeCodes = [AuditCodes.SecurityConfiguration],
                ActiveParticipants = [requestor with { UserIsRequestor = true }],
                Source = source,
                ParticipantObjects =
                [
                    AuditRecords.AuditLog(new Uri(_paths.Root).AbsoluteUri) with
                    {
                        Description = $"audit data key rotated: records are now encrypted with key {keyId:x8} (was {previous:x8})",
                    },
                ],
            };
            long index = await AppendAsync(record, cancellationToken).ConfigureAwait(false);
            return (keyId, index);
        }
        finally
        {
            _rotation.Release();
        }
    }
}
