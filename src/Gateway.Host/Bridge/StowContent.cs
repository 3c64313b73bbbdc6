using System.Net;
using Gateway.Archive;
using Gateway.DicomWeb.Multipart;

namespace Gateway.Host.Bridge;

/// <summary>
/// A STOW-RS request body: multipart/related; type="application/dicom", one part per archived instance (its Part 10
/// file), each copied from the archive's decrypting stream as the request is sent, never held whole. Sent chunked.
/// </summary>
internal sealed class StowContent : HttpContent
{
    private readonly IReadOnlyList<ArchivedInstance> _instances;
    private readonly string _boundary = MultipartWriter.NewBoundary();

    public StowContent(IReadOnlyList<ArchivedInstance> instances)
    {
        _instances = instances;
        Headers.TryAddWithoutValidation("Content-Type", new MultipartContentType(_boundary, "application/dicom", null).ToString());
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var writer = new MultipartWriter(stream, "application/dicom", _boundary);
        foreach (ArchivedInstance instance in _instances)
        {
            await writer.WritePartAsync("application/dicom", instance.Stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
