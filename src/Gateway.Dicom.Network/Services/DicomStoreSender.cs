using System.IO.Compression;
using System.IO.Pipelines;
using Gateway.Dicom.IO;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Services;

/// <summary>Sends Part 10 files by C-STORE, streaming: as stored when the accepted transfer syntax is the file's, re-encoded on the fly otherwise.</summary>
public static class DicomStoreSender
{
    /// <summary>Sends one file and returns the peer's C-STORE status.</summary>
    /// <exception cref="DicomFormatException">The file is not readable DICOM.</exception>
    /// <exception cref="InvalidOperationException">No presentation context can carry the file (SOP class not accepted, or compressed data in another syntax).</exception>
    public static async Task<DimseResponse> StoreFileAsync(
        DicomAssociation association,
        string path,
        string? moveOriginatorAETitle = null,
        ushort? moveOriginatorMessageId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(association);
        DicomFileReader file = await DicomFileReader.OpenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            string sopClass = file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID)
                ?? throw new DicomFormatException(DicomFormatError.InvalidFileMetaInformation, 0, DicomTags.MediaStorageSOPClassUID, "the file has no Media Storage SOP Class UID");
            string sopInstance = file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID)
                ?? throw new DicomFormatException(DicomFormatError.InvalidFileMetaInformation, 0, DicomTags.MediaStorageSOPInstanceUID, "the file has no Media Storage SOP Instance UID");

            if (ChooseContext(association, sopClass, file.TransferSyntax) is { } context && context.TransferSyntax.Equals(file.TransferSyntax))
            {
                // Same syntax: send the encoded data set exactly as stored.
                InlineFileStream raw = InlineFileStream.OpenRead(path, 1 << 16);
                await using (raw.ConfigureAwait(false))
                {
                    raw.Seek(file.DatasetOffset, SeekOrigin.Begin);
                    return await SendAsync(association, context, sopClass, sopInstance, raw, null, moveOriginatorAETitle, moveOriginatorMessageId, cancellationToken).ConfigureAwait(false);
                }
            }

            return await StoreAsync(association, sopClass, sopInstance, file.TransferSyntax, file.Reader, moveOriginatorAETitle, moveOriginatorMessageId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends one data set read from a stream (an archive object, a sub-operation being relayed) and returns the peer's
    /// C-STORE status: as it is when a context accepts its transfer syntax, re-encoded on the fly otherwise.
    /// </summary>
    /// <param name="association">The association to send on.</param>
    /// <param name="sopClass">The SOP Class UID.</param>
    /// <param name="sopInstance">The SOP Instance UID.</param>
    /// <param name="syntax">The transfer syntax <paramref name="dataSet"/> is encoded in.</param>
    /// <param name="dataSet">The encoded data set (no File Meta Information), read to its end.</param>
    /// <param name="moveOriginatorAETitle">For a C-MOVE sub-operation: the AE title that asked for the move.</param>
    /// <param name="moveOriginatorMessageId">For a C-MOVE sub-operation: the C-MOVE's message ID.</param>
    /// <param name="cancellationToken">Stops the transfer.</param>
    /// <exception cref="InvalidOperationException">No presentation context can carry the data set.</exception>
    public static async Task<DimseResponse> StoreAsync(
        DicomAssociation association,
        string sopClass,
        string sopInstance,
        DicomTransferSyntax syntax,
        Stream dataSet,
        string? moveOriginatorAETitle = null,
        ushort? moveOriginatorMessageId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(association);
        ArgumentNullException.ThrowIfNull(sopClass);
        ArgumentNullException.ThrowIfNull(sopInstance);
        ArgumentNullException.ThrowIfNull(syntax);
        ArgumentNullException.ThrowIfNull(dataSet);
        NegotiatedPresentationContext context = ChooseContext(association, sopClass, syntax)
            ?? throw new InvalidOperationException($"No accepted presentation context can carry {sopClass} in {syntax}.");
        if (context.TransferSyntax.Equals(syntax))
        {
            return await SendAsync(association, context, sopClass, sopInstance, dataSet, null, moveOriginatorAETitle, moveOriginatorMessageId, cancellationToken).ConfigureAwait(false);
        }

        Stream input = syntax.IsDeflated ? new DeflateStream(dataSet, CompressionMode.Decompress, leaveOpen: true) : dataSet;
        var reader = new DicomStreamReader(input, syntax.Encoding, leaveOpen: !syntax.IsDeflated);
        await using (reader.ConfigureAwait(false))
        {
            return await StoreAsync(association, sopClass, sopInstance, syntax, reader, moveOriginatorAETitle, moveOriginatorMessageId, cancellationToken).ConfigureAwait(false);
        }
    }

    // Re-encodes what the reader yields into the transfer syntax of a context that accepts the SOP class.
    private static async Task<DimseResponse> StoreAsync(
        DicomAssociation association,
        string sopClass,
        string sopInstance,
        DicomTransferSyntax syntax,
        DicomStreamReader reader,
        string? moveOriginatorAETitle,
        ushort? moveOriginatorMessageId,
        CancellationToken cancellationToken)
    {
        NegotiatedPresentationContext context = ChooseContext(association, sopClass, syntax)
            ?? throw new InvalidOperationException($"No accepted presentation context can carry {sopClass} in {syntax}.");
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        Stream source = pipe.Reader.AsStream();
        await using (source.ConfigureAwait(false))
        {
            Task transcoding = TranscodeAsync(reader, pipe.Writer, context.TransferSyntax, cancellationToken);
            return await SendAsync(association, context, sopClass, sopInstance, source, transcoding, moveOriginatorAETitle, moveOriginatorMessageId, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<DimseResponse> SendAsync(
        DicomAssociation association,
        NegotiatedPresentationContext context,
        string sopClass,
        string sopInstance,
        Stream source,
        Task? transcoding,
        string? moveOriginatorAETitle,
        ushort? moveOriginatorMessageId,
        CancellationToken cancellationToken)
    {
        var command = new DimseCommand(new Model.DicomDataset())
        {
            CommandField = DimseCommandField.CStoreRequest,
            MessageId = association.NextMessageId(),
            AffectedSopClassUid = sopClass,
            AffectedSopInstanceUid = sopInstance,
            Priority = DimsePriority.Medium,
            HasDataSet = true,
            MoveOriginatorAETitle = moveOriginatorAETitle,
            MoveOriginatorMessageId = moveOriginatorMessageId,
        };

        DimseResponse? final = null;
        await foreach (DimseResponse response in association.SendRequestAsync(context, command, null, source, cancellationToken).ConfigureAwait(false))
        {
            final = response;
        }

        if (transcoding is not null)
        {
            await transcoding.ConfigureAwait(false);
        }

        return final ?? throw new DicomAssociationAbortedException("the association ended before the C-STORE response");
    }

    /// <summary>The accepted context for the SOP class whose syntax is the file's, else one that can be converted to.</summary>
    public static NegotiatedPresentationContext? ChooseContext(DicomAssociation association, string sopClass, DicomTransferSyntax fileSyntax)
    {
        ArgumentNullException.ThrowIfNull(association);
        NegotiatedPresentationContext? convertible = null;
        foreach (NegotiatedPresentationContext pc in association.PresentationContexts)
        {
            // The side that sends a C-STORE acts as SCU of the storage class: the requester by default, the acceptor
            // only where role selection gave the requester the SCP role (C-GET, PS3.7 D.3.3.4).
            bool mayStore = association.IsRequester ? pc.RequesterIsScu : pc.RequesterIsScp;
            if (!pc.IsAccepted || pc.AbstractSyntax != sopClass || !mayStore)
            {
                continue;
            }

            if (pc.TransferSyntax.Equals(fileSyntax))
            {
                return pc;
            }

            if (DicomTranscoder.CanTranscode(fileSyntax, pc.TransferSyntax))
            {
                convertible ??= pc;
            }
        }

        return convertible;
    }

    private static async Task TranscodeAsync(DicomStreamReader reader, PipeWriter target, DicomTransferSyntax syntax, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Stream output = target.AsStream();
        Stream? deflate = syntax.IsDeflated ? new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true) : null;
        Exception? failure = null;
        try
        {
            await using var writer = new DicomStreamWriter(deflate ?? output, syntax.Encoding);
            await DicomTranscoder.CopyTokensAsync(reader, writer, new byte[1 << 16], cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            if (deflate is not null)
            {
                await deflate.DisposeAsync().ConfigureAwait(false);
            }

            await target.CompleteAsync(failure).ConfigureAwait(false);
        }
    }
}
