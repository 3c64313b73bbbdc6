using System.Security.Cryptography;
using Gateway.Archive.Crypto;
using Gateway.Archive.Index;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Microsoft.Data.Sqlite;

namespace Gateway.Archive;

public sealed partial class ArchiveStore
{
    private const string RowColumns =
        "id, sop_instance_uid, sop_class_uid, transfer_syntax, calling_ae, received_at, conflict, size, dataset_offset, object_name, object_id, kek_version, wrapped_key";

    /// <inheritdoc />
    /// <remarks>The Part 10 file: the File Meta Information written at store time, then the data set as received.</remarks>
    /// <exception cref="ArchiveIntegrityException">The object is missing, altered, or its key does not unwrap.</exception>
    public Task<ArchivedInstance?> OpenInstanceAsync(string sopInstanceUid, CancellationToken cancellationToken) =>
        OpenByUidAsync(sopInstanceUid, ArchivedContent.Part10File, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="ArchiveIntegrityException">The object is missing, altered, or its key does not unwrap.</exception>
    public Task<ArchivedInstance?> OpenDataSetAsync(string sopInstanceUid, CancellationToken cancellationToken) =>
        OpenByUidAsync(sopInstanceUid, ArchivedContent.DataSet, cancellationToken);

    /// <summary>Opens any archived object by its index row, conflict copies included; null when purged or unknown.</summary>
    /// <exception cref="ArchiveIntegrityException">The object is missing, altered, or its key does not unwrap.</exception>
    public async Task<ArchivedInstance?> OpenByIdAsync(long instanceId, ArchivedContent content, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        ObjectRow? row = ReadRow($"SELECT {RowColumns} FROM instances WHERE id = $p0", instanceId);
        return row is null ? null : await OpenRowAsync(row, content, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ArchivedInstance?> OpenByUidAsync(string sopInstanceUid, ArchivedContent content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sopInstanceUid);
        ThrowIfDisposed();
        ObjectRow? row = ReadRow($"SELECT {RowColumns} FROM instances WHERE sop_instance_uid = $p0 AND conflict = 0", sopInstanceUid);
        return row is null ? null : await OpenRowAsync(row, content, cancellationToken).ConfigureAwait(false);
    }

    private ObjectRow? ReadRow(string sql, object key)
    {
        using SqliteConnection reader = _db.OpenReader();
        using SqliteCommand command = ArchiveDatabase.Command(reader, null, sql, key);
        using SqliteDataReader r = command.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        return new ObjectRow(
            r.GetInt64(0),
            r.GetString(1),
            r.GetString(2),
            r.GetString(3),
            r.GetString(4),
            r.GetInt64(5),
            r.GetInt64(6) != 0,
            r.GetInt64(7),
            r.GetInt64(8),
            r.IsDBNull(9) ? null : r.GetString(9),
            r.IsDBNull(10) ? null : (byte[])r[10],
            r.IsDBNull(11) ? 0 : r.GetInt32(11),
            r.IsDBNull(12) ? null : (byte[])r[12]);
    }

    private async Task<ArchivedInstance?> OpenRowAsync(ObjectRow row, ArchivedContent content, CancellationToken cancellationToken)
    {
        if (row.ObjectName is null || row.ObjectId is null || row.WrappedKey is null)
        {
            return null;
        }

        if (!DicomTransferSyntax.TryLookup(row.TransferSyntax, out DicomTransferSyntax syntax))
        {
            throw new ArchiveIntegrityException($"instance {row.SopInstanceUid} has an invalid transfer syntax in the index");
        }

        string path = ObjectPath(row.ObjectName);
        // Read on the caller's thread: on Linux an asynchronous file read is a blocking pread on another pool thread.
        InlineFileStream file;
        try
        {
            file = InlineFileStream.OpenRead(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            if (ReadRow($"SELECT {RowColumns} FROM instances WHERE id = $p0", row.Id) is not { ObjectName: not null })
            {
                // Purged by retention between the look-up and the open.
                return null;
            }

            throw new ArchiveIntegrityException($"object {row.ObjectName} of instance {row.SopInstanceUid} is missing", ex);
        }

        byte[]? dataKey = null;
        try
        {
            dataKey = _keys.Ring.Unwrap(row.KekVersion, row.WrappedKey);
            long total = row.DataSetOffset + row.Size;
            DecryptingObjectStream stream = await DecryptingObjectStream.OpenAsync(file, dataKey, row.ObjectId, row.SopInstanceUid, total, cancellationToken).ConfigureAwait(false);
            long length = total;
            if (content == ArchivedContent.DataSet)
            {
                try
                {
                    await stream.SkipAsync(row.DataSetOffset, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                length = row.Size;
            }

            return new ArchivedInstance(
                row.Id,
                row.SopInstanceUid,
                row.SopClassUid,
                syntax,
                row.CallingAE,
                DateTimeOffset.FromUnixTimeMilliseconds(row.ReceivedAt),
                row.Conflict,
                content,
                length,
                stream);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (dataKey is not null)
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }
    }

    private sealed record ObjectRow(
        long Id,
        string SopInstanceUid,
        string SopClassUid,
        string TransferSyntax,
        string CallingAE,
        long ReceivedAt,
        bool Conflict,
        long Size,
        long DataSetOffset,
        string? ObjectName,
        byte[]? ObjectId,
        int KekVersion,
        byte[]? WrappedKey);
}
