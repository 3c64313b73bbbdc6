namespace Gateway.Archive;

/// <summary>Storing and reading archived instances (what the DIMSE and DICOMweb handlers and the forwarders need).</summary>
public interface IInstanceArchive
{
    /// <summary>
    /// Archives one instance from its data set stream; returns once the encrypted object, its index row and its outbox
    /// rows are durable.
    /// </summary>
    /// <param name="request">What the C-STORE said about the instance, and its destinations.</param>
    /// <param name="dataSet">The data set as received (no File Meta Information), read to its end.</param>
    /// <param name="cancellationToken">Cancels the store; nothing of it remains.</param>
    /// <exception cref="ArchiveFullException">Backpressure: too little disk space, or the outbox is at its bound.</exception>
    /// <exception cref="ArchiveRejectedException">The request or the data set's header is unusable.</exception>
    Task<ArchiveStoreResult> StoreAsync(ArchiveStoreRequest request, Stream dataSet, CancellationToken cancellationToken);

    /// <summary>Opens an instance as a Part 10 file (what WADO serves), or null when it is not archived or was purged.</summary>
    Task<ArchivedInstance?> OpenInstanceAsync(string sopInstanceUid, CancellationToken cancellationToken);

    /// <summary>Opens an instance's data set as received with its transfer syntax (what a C-STORE forwards), or null.</summary>
    Task<ArchivedInstance?> OpenDataSetAsync(string sopInstanceUid, CancellationToken cancellationToken);
}
