using System.Buffers;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Services;

/// <summary>
/// Writes each received instance as a Part 10 file named after its SOP Instance UID: File Meta Information, then
/// the data set exactly as received (no re-encoding), to a temporary file that is flushed to disk and renamed, so
/// a success status is only sent for a complete, durable file.
/// </summary>
public sealed class DirectoryStoreService : IStoreService
{
    private readonly string _directory;

    /// <summary>Creates the service; the directory is created if needed.</summary>
    public DirectoryStoreService(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Raised after a file is stored (path, request).</summary>
    public event Action<string, StoreRequest>? Stored;

    /// <inheritdoc />
    public async Task<DimseStatus> StoreAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!new DicomUid(request.SopInstanceUid).IsValid || !new DicomUid(request.SopClassUid).IsValid)
        {
            // The UID becomes a file name: anything but a valid UID is refused, never used as a path.
            throw new DimseStatusException(DimseStatus.CannotUnderstand, "the Affected SOP Instance or Class UID is not a valid UID");
        }

        string path = Path.Combine(_directory, request.SopInstanceUid + ".dcm");
        string? temp = Path.Combine(_directory, "." + request.SopInstanceUid + "." + Guid.NewGuid().ToString("N")[..8] + ".partial");
        try
        {
            // A synchronous file: the handler already runs on a pool thread, and on Linux an "asynchronous" FileStream
            // write is a synchronous pwrite queued to another pool thread, a hop per 64 KiB for nothing.
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.None);
            await using (file.ConfigureAwait(false))
            {
                DicomDataset meta = DicomFileWriter.BuildFileMetaInformation(null, new DicomUid(request.SopClassUid), new DicomUid(request.SopInstanceUid), request.TransferSyntax);
                meta.SetString(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, request.Association.CallingAE);
                await DicomFileWriter.WriteHeaderAsync(file, meta, cancellationToken).ConfigureAwait(false);
                byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
                try
                {
                    int read;
                    while ((read = await request.DataSet.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        file.Write(buffer, 0, read);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            temp = null;

            // Ack means durable: the new name too, not only the bytes.
            DirectorySync.Flush(_directory);
        }
        catch (IOException ex)
        {
            throw new DimseStatusException(DimseStatus.OutOfResources, "the instance could not be written: " + ex.Message);
        }
        finally
        {
            if (temp is not null)
            {
                // Not renamed: the partial file goes (File.Delete ignores a file that was never created).
                File.Delete(temp);
            }
        }

        Stored?.Invoke(path, request);
        return DimseStatus.Success;
    }
}
