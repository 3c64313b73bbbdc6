using System.Collections.Frozen;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Archive.Index;

/// <summary>
/// Reads the attributes the index needs from the head of a data set as it streams in: top-level elements only, values
/// read only for the wanted tags (and only when short), and it stops at the first top-level element past the last
/// wanted tag, (0028,0011) Columns, so it never reaches the pixel data.
/// </summary>
internal static class HeaderExtractor
{
    /// <summary>No wanted attribute is longer than this; a longer value is ignored, never allocated.</summary>
    private const int MaxCapturedValue = 1024;

    private static readonly DicomTag LastWanted = DicomTags.Columns;

    private static readonly FrozenSet<DicomTag> Wanted = new[]
    {
        DicomTags.SpecificCharacterSet, DicomTags.SOPClassUID, DicomTags.SOPInstanceUID,
        DicomTags.StudyDate, DicomTags.SeriesDate, DicomTags.AcquisitionDate, DicomTags.ContentDate,
        DicomTags.AcquisitionDateTime, DicomTags.StudyTime, DicomTags.SeriesTime, DicomTags.AcquisitionTime,
        DicomTags.ContentTime, DicomTags.AccessionNumber, DicomTags.Modality, DicomTags.ReferringPhysicianName,
        DicomTags.StudyDescription, DicomTags.SeriesDescription, DicomTags.PatientName, DicomTags.PatientID,
        DicomTags.IssuerOfPatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.BodyPartExamined,
        DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.StudyID, DicomTags.SeriesNumber,
        DicomTags.InstanceNumber, DicomTags.NumberOfFrames, DicomTags.Rows, DicomTags.Columns,
    }.ToFrozenSet();

    /// <summary>Parses the header of <paramref name="dataSet"/> (encoded in <paramref name="syntax"/>, deflated if it says so).</summary>
    /// <exception cref="ArchiveRejectedException">The header is malformed or exceeds <paramref name="options"/>.</exception>
    public static async Task<InstanceHeader> ExtractAsync(Stream dataSet, DicomTransferSyntax syntax, DicomReaderOptions options, CancellationToken cancellationToken)
    {
        var captured = new DicomDataset();
        Stream input = syntax.IsDeflated ? new DeflateStream(dataSet, CompressionMode.Decompress, leaveOpen: true) : dataSet;
        try
        {
            var reader = new DicomStreamReader(input, syntax.Encoding, options, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (reader.Depth != 0 || reader.TokenType is not (DicomTokenType.Element or DicomTokenType.SequenceStart or DicomTokenType.FragmentsStart))
                    {
                        continue;
                    }

                    if (reader.Tag > LastWanted)
                    {
                        break;
                    }

                    if (reader.TokenType != DicomTokenType.Element || !Wanted.Contains(reader.Tag) || reader.Length > MaxCapturedValue)
                    {
                        continue;
                    }

                    byte[] value = await reader.ReadValueAsync(cancellationToken).ConfigureAwait(false);
                    if (reader.Encoding.IsBigEndian)
                    {
                        DicomByteOrder.Swap(value, reader.VR.SwapUnit);
                    }

                    captured.TryAdd(new DicomElement(reader.Tag, reader.VR, value));
                }
            }
        }
        catch (DicomFormatException ex)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.MalformedDataSet, "the data set header is malformed: " + ex.Message, ex);
        }
        catch (InvalidDataException ex)
        {
            throw new ArchiveRejectedException(ArchiveRejectReason.MalformedDataSet, "the deflated data set is corrupt", ex);
        }
        finally
        {
            if (!ReferenceEquals(input, dataSet))
            {
                await input.DisposeAsync().ConfigureAwait(false);
            }
        }

        return Build(captured);
    }

    /// <summary>Builds the index attributes from the captured elements.</summary>
    internal static InstanceHeader Build(DicomDataset d)
    {
        var header = new InstanceHeader
        {
            SopClassUid = Text(d, DicomTags.SOPClassUID),
            SopInstanceUid = Text(d, DicomTags.SOPInstanceUID),
            StudyInstanceUid = Text(d, DicomTags.StudyInstanceUID),
            SeriesInstanceUid = Text(d, DicomTags.SeriesInstanceUID),
            StudyDate = Date(d, DicomTags.StudyDate),
            StudyTime = Time(Text(d, DicomTags.StudyTime)),
            SeriesDate = Date(d, DicomTags.SeriesDate),
            SeriesTime = Time(Text(d, DicomTags.SeriesTime)),
            Modality = Text(d, DicomTags.Modality),
            SeriesNumber = Integer(d, DicomTags.SeriesNumber),
            InstanceNumber = Integer(d, DicomTags.InstanceNumber),
            BodyPartExamined = Text(d, DicomTags.BodyPartExamined),
            Rows = Integer(d, DicomTags.Rows),
            Columns = Integer(d, DicomTags.Columns),
            NumberOfFrames = Integer(d, DicomTags.NumberOfFrames),
            Study = new StudyAttributes
            {
                PatientName = Text(d, DicomTags.PatientName),
                PatientId = Text(d, DicomTags.PatientID),
                IssuerOfPatientId = Text(d, DicomTags.IssuerOfPatientID),
                PatientBirthDate = Text(d, DicomTags.PatientBirthDate),
                PatientSex = Text(d, DicomTags.PatientSex),
                AccessionNumber = Text(d, DicomTags.AccessionNumber),
                StudyDescription = Text(d, DicomTags.StudyDescription),
                ReferringPhysicianName = Text(d, DicomTags.ReferringPhysicianName),
                StudyId = Text(d, DicomTags.StudyID),
            },
            Series = new SeriesAttributes { SeriesDescription = Text(d, DicomTags.SeriesDescription) },
        };

        // Acquisition time orders instances: Acquisition DateTime, else Acquisition Date and Time, else Content Date and Time.
        string? acquisitionDateTime = Text(d, DicomTags.AcquisitionDateTime);
        if (acquisitionDateTime is { Length: >= 8 } dt && DicomValue.TryParseDate(dt[..8], out _))
        {
            header.AcquisitionDate = dt[..8];
            string rest = dt[8..];
            int zone = rest.IndexOfAny(['+', '-']);
            header.AcquisitionTime = Time(zone >= 0 ? rest[..zone] : rest);
        }
        else
        {
            header.AcquisitionDate = Date(d, DicomTags.AcquisitionDate);
            header.AcquisitionTime = Time(Text(d, DicomTags.AcquisitionTime));
            if (header.AcquisitionDate is null && header.AcquisitionTime is null)
            {
                header.AcquisitionDate = Date(d, DicomTags.ContentDate);
                header.AcquisitionTime = Time(Text(d, DicomTags.ContentTime));
            }
        }

        return header;
    }

    private static string? Text(DicomDataset d, DicomTag tag)
    {
        try
        {
            return d.GetString(tag) is { } s && s.Trim() is { Length: > 0 } t ? t : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string? Date(DicomDataset d, DicomTag tag) =>
        Text(d, tag) is { } s && DicomValue.TryParseDate(s, out DateOnly date) ? date.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : null;

    private static string? Time(string? text) =>
        text is { Length: > 0 } && DicomValue.TryParseTime(text, out TimeOnly time) ? time.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture) : null;

    private static int? Integer(DicomDataset d, DicomTag tag)
    {
        try
        {
            return d.GetInt32(tag);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or DecoderFallbackException)
        {
            return null;
        }
    }
}
