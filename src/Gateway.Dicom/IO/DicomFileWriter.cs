using System.IO.Compression;
using System.Text;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.IO;

/// <summary>Writes DICOM Part 10 files (PS3.10 7.1): preamble, "DICM", File Meta Information, then the data set.</summary>
public static class DicomFileWriter
{
    /// <summary>This implementation's Implementation Class UID (0002,0012).</summary>
    public static readonly DicomUid ImplementationClassUid = new("2.25.242397305106713341129336807588797996706");

    /// <summary>This implementation's Implementation Version Name (0002,0013), at most 16 characters.</summary>
    public const string ImplementationVersionName = "GATEWAY_0_1";

    /// <summary>Writes a whole file from an in-memory data set.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="dataset">The data set (no group 0002).</param>
    /// <param name="syntax">The transfer syntax to write it in.</param>
    /// <param name="sourceMeta">File Meta Information to carry over (source AE titles and private meta elements), if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public static async ValueTask WriteAsync(Stream stream, DicomDataset dataset, DicomTransferSyntax syntax, DicomDataset? sourceMeta = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        DicomDataset meta = BuildFileMetaInformation(sourceMeta, dataset.GetUid(DicomTags.SOPClassUID), dataset.GetUid(DicomTags.SOPInstanceUID), syntax);
        await WriteHeaderAsync(stream, meta, cancellationToken).ConfigureAwait(false);
        DicomStreamWriter writer = OpenDatasetWriter(stream, syntax, out Stream? deflate);
        try
        {
            await DicomDatasetWriter.WriteAsync(writer, dataset, cancellationToken).ConfigureAwait(false);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await CloseAsync(writer, deflate).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Builds the File Meta Information for a file in <paramref name="syntax"/>: version 00\01, the SOP class and
    /// instance, this implementation's class UID and version name, and the source's AE titles and private elements.
    /// </summary>
    public static DicomDataset BuildFileMetaInformation(DicomDataset? sourceMeta, DicomUid? sopClass, DicomUid? sopInstance, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        var meta = new DicomDataset();
        if (sourceMeta is not null)
        {
            foreach (DicomItem item in sourceMeta)
            {
                if (item.Tag.Group == 0x0002 && !item.Tag.IsGroupLength)
                {
                    meta.Set(item);
                }
            }
        }

        meta.Set(new DicomElement(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0x00, 0x01 }));
        if (sopClass is { } sc)
        {
            meta.SetString(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, sc.Value);
        }

        if (sopInstance is { } si)
        {
            meta.SetString(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, si.Value);
        }

        meta.SetString(DicomTags.TransferSyntaxUID, DicomVR.UI, syntax.Uid.Value);
        meta.SetString(DicomTags.ImplementationClassUID, DicomVR.UI, ImplementationClassUid.Value);
        meta.SetString(DicomTags.ImplementationVersionName, DicomVR.SH, ImplementationVersionName);
        return meta;
    }

    /// <summary>Writes the 128-byte preamble, "DICM" and the File Meta Information with its group length.</summary>
    public static async ValueTask WriteHeaderAsync(Stream stream, DicomDataset meta, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(meta);
        var body = new MemoryStream();
        await using (var metaWriter = new DicomStreamWriter(body, DicomEncoding.ExplicitLittleEndian))
        {
            foreach (DicomItem item in meta)
            {
                if (item is DicomElement e && e.Tag.Group == 0x0002 && !e.Tag.IsGroupLength)
                {
                    await metaWriter.WriteElementAsync(e.Tag, e.VR, e.Value, false, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        byte[] head = new byte[128 + 4 + 12];
        Encoding.ASCII.GetBytes("DICM", head.AsSpan(128));
        var headStream = new MemoryStream(head, 132, 12);
        await using (var lengthWriter = new DicomStreamWriter(headStream, DicomEncoding.ExplicitLittleEndian))
        {
            byte[] groupLength = BitConverter.GetBytes((uint)body.Length);
            if (!BitConverter.IsLittleEndian)
            {
                Array.Reverse(groupLength);
            }

            await lengthWriter.WriteElementAsync(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, groupLength, false, cancellationToken).ConfigureAwait(false);
        }

        await stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        body.Position = 0;
        await body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a writer for the data set part of a file in <paramref name="syntax"/>, through a deflater when deflated.</summary>
    internal static DicomStreamWriter OpenDatasetWriter(Stream stream, DicomTransferSyntax syntax, out Stream? deflate)
    {
        deflate = syntax.IsDeflated ? new DeflateStream(stream, CompressionLevel.Optimal, leaveOpen: true) : null;
        return new DicomStreamWriter(deflate ?? stream, syntax.Encoding);
    }

    /// <summary>Finishes a data set writer from <see cref="OpenDatasetWriter"/>.</summary>
    internal static async ValueTask CloseAsync(DicomStreamWriter writer, Stream? deflate)
    {
        await writer.DisposeAsync().ConfigureAwait(false);
        if (deflate is not null)
        {
            await deflate.DisposeAsync().ConfigureAwait(false);
        }
    }
}
