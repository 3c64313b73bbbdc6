using Gateway.Dicom;

namespace Gateway.Archive;

/// <summary>
/// An archived instance opened for reading: its identity and a decrypting stream. Every chunk is verified before its
/// bytes are returned; tampering, truncation or a swapped file throws <see cref="ArchiveIntegrityException"/> from a read.
/// </summary>
/// <remarks>
/// The stream is forward-only and holds one 64 KiB chunk in memory. A consumer that sends bytes on as it reads (a C-STORE,
/// an HTTP response) may have sent verified chunks before a later chunk fails; it must then fail the transfer.
/// Dispose the instance (or its stream) to close the file.
/// </remarks>
public sealed class ArchivedInstance : IAsyncDisposable, IDisposable
{
    internal ArchivedInstance(
        long instanceId,
        string sopInstanceUid,
        string sopClassUid,
        DicomTransferSyntax transferSyntax,
        string callingAE,
        DateTimeOffset receivedAt,
        bool isConflict,
        ArchivedContent content,
        long length,
        Stream stream)
    {
        InstanceId = instanceId;
        SopInstanceUid = sopInstanceUid;
        SopClassUid = sopClassUid;
        TransferSyntax = transferSyntax;
        CallingAE = callingAE;
        ReceivedAt = receivedAt;
        IsConflict = isConflict;
        Content = content;
        Length = length;
        Stream = stream;
    }

    /// <summary>The index row.</summary>
    public long InstanceId { get; }

    /// <summary>SOP Instance UID.</summary>
    public string SopInstanceUid { get; }

    /// <summary>SOP Class UID.</summary>
    public string SopClassUid { get; }

    /// <summary>The transfer syntax the data set is encoded in.</summary>
    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>The AE title that sent it.</summary>
    public string CallingAE { get; }

    /// <summary>When it was archived.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>True for a conflict copy (different bytes under an already archived SOP Instance UID).</summary>
    public bool IsConflict { get; }

    /// <summary>What <see cref="Stream"/> holds.</summary>
    public ArchivedContent Content { get; }

    /// <summary>The number of bytes <see cref="Stream"/> yields.</summary>
    public long Length { get; }

    /// <summary>The decrypting, verifying, forward-only stream.</summary>
    public Stream Stream { get; }

    /// <inheritdoc />
    public void Dispose() => Stream.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
