using Gateway.Dicom.IO;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Associations;

/// <summary>An incoming DIMSE request, with the means to answer it.</summary>
public sealed class DimseRequest
{
    internal DimseRequest(DicomAssociation association, DimseCommand command, NegotiatedPresentationContext context, Stream? dataSet)
    {
        Association = association;
        Command = command;
        PresentationContext = context;
        DataSet = dataSet;
    }

    /// <summary>The association the request arrived on.</summary>
    public DicomAssociation Association { get; }

    /// <summary>The command.</summary>
    public DimseCommand Command { get; }

    /// <summary>The presentation context (its abstract syntax and accepted transfer syntax).</summary>
    public NegotiatedPresentationContext PresentationContext { get; }

    /// <summary>
    /// The data set as it arrives, encoded in the context's transfer syntax (deflated for the deflated syntax), or
    /// null when the request has none. Read it to the end or dispose it.
    /// </summary>
    public Stream? DataSet { get; }

    /// <summary>Reads the whole data set into memory (for small data sets such as query identifiers).</summary>
    /// <exception cref="DicomFormatException">The data set is malformed or larger than <see cref="AssociationOptions.MaxIdentifierLength"/>.</exception>
    public async ValueTask<DicomDataset?> ReadDataSetAsync(CancellationToken cancellationToken)
    {
        if (DataSet is null)
        {
            return null;
        }

        int max = Association.Options.MaxIdentifierLength;
        var options = new DicomReaderOptions { MaxValueLength = max, MaxTotalValueBytes = max };
        Stream source = PresentationContext.TransferSyntax.IsDeflated
            ? new System.IO.Compression.DeflateStream(DataSet, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true)
            : DataSet;
        await using var reader = new DicomStreamReader(source, PresentationContext.TransferSyntax.Encoding, options, leaveOpen: true);
        return await DicomDatasetReader.ReadAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a response command (and optional data set) on the request's presentation context.</summary>
    public ValueTask RespondAsync(DimseCommand response, DicomDataset? dataSet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Association.SendAsync(PresentationContext, response, dataSet, cancellationToken);
    }
}
