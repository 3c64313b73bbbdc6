using Gateway.Dicom;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Archive.Tests.Support;

/// <summary>
/// A synthetic image instance: a small header with the attributes the index reads, then Pixel Data of
/// <see cref="PixelBytes"/> deterministic pseudo-random bytes (generated as it streams, never held).
/// </summary>
internal sealed record TestInstance
{
    public const string CTImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    public string PatientName { get; init; } = "DOE^JOHN";

    public string PatientId { get; init; } = "PID-0001";

    public string? AccessionNumber { get; init; } = "ACC-0001";

    public string StudyUid { get; init; } = TestUids.New();

    public string SeriesUid { get; init; } = TestUids.New();

    public string SopUid { get; init; } = TestUids.New();

    public string SopClass { get; init; } = CTImageStorage;

    public string Modality { get; init; } = "CT";

    public int? SeriesNumber { get; init; } = 1;

    public int? InstanceNumber { get; init; } = 1;

    public string? AcquisitionDate { get; init; } = "20250301";

    public string? AcquisitionTime { get; init; } = "101500";

    public string StudyDate { get; init; } = "20250301";

    public string? BirthDate { get; init; } = "19700101";

    public string? StudyDescription { get; init; } = "CT HEAD";

    public string? SeriesDescription { get; init; } = "AXIAL";

    public long PixelBytes { get; init; } = 1024;

    public int Seed { get; init; } = 1;

    /// <summary>Extra elements (tag, VR, value) for special cases.</summary>
    public IReadOnlyList<(DicomTag Tag, DicomVR VR, string Value)> Extra { get; init; } = [];

    public DicomDataset Header()
    {
        var d = new DicomDataset();
        d.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 100");
        d.SetString(DicomTags.SOPClassUID, DicomVR.UI, SopClass);
        d.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, SopUid);
        d.SetString(DicomTags.StudyDate, DicomVR.DA, StudyDate);
        d.SetString(DicomTags.StudyTime, DicomVR.TM, "101010");
        if (AcquisitionDate is not null)
        {
            d.SetString(DicomTags.AcquisitionDate, DicomVR.DA, AcquisitionDate);
        }

        if (AcquisitionTime is not null)
        {
            d.SetString(DicomTags.AcquisitionTime, DicomVR.TM, AcquisitionTime);
        }

        if (AccessionNumber is not null)
        {
            d.SetString(DicomTags.AccessionNumber, DicomVR.SH, AccessionNumber);
        }

        d.SetString(DicomTags.Modality, DicomVR.CS, Modality);
        if (StudyDescription is not null)
        {
            d.SetString(DicomTags.StudyDescription, DicomVR.LO, StudyDescription);
        }

        if (SeriesDescription is not null)
        {
            d.SetString(DicomTags.SeriesDescription, DicomVR.LO, SeriesDescription);
        }

        d.SetString(DicomTags.PatientName, DicomVR.PN, PatientName);
        d.SetString(DicomTags.PatientID, DicomVR.LO, PatientId);
        if (BirthDate is not null)
        {
            d.SetString(DicomTags.PatientBirthDate, DicomVR.DA, BirthDate);
        }

        d.SetString(DicomTags.PatientSex, DicomVR.CS, "O");
        d.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, StudyUid);
        d.SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, SeriesUid);
        d.SetString(DicomTags.StudyID, DicomVR.SH, "S1");
        if (SeriesNumber is { } sn)
        {
            d.SetString(DicomTags.SeriesNumber, DicomVR.IS, sn.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (InstanceNumber is { } n)
        {
            d.SetString(DicomTags.InstanceNumber, DicomVR.IS, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        d.SetUInt16(DicomTags.Rows, 16);
        d.SetUInt16(DicomTags.Columns, 16);
        foreach ((DicomTag tag, DicomVR vr, string value) in Extra)
        {
            d.SetString(tag, vr, value);
        }

        return d;
    }

    /// <summary>The header and the Pixel Data element header, encoded in <paramref name="syntax"/> (not deflated).</summary>
    public byte[] HeaderBytes(DicomTransferSyntax syntax)
    {
        var buffer = new MemoryStream();
        var writer = new DicomStreamWriter(buffer, syntax.Encoding);
        DicomDatasetWriter.WriteAsync(writer, Header()).AsTask().GetAwaiter().GetResult();
        writer.WriteElementHeaderAsync(DicomTags.PixelData, DicomVR.OW, PixelBytes).AsTask().GetAwaiter().GetResult();
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return buffer.ToArray();
    }

    /// <summary>A stream of the whole data set; pixel bytes are generated as they are read.</summary>
    public Stream Open(DicomTransferSyntax? syntax = null) =>
        new SyntheticStream(HeaderBytes(syntax ?? DicomTransferSyntax.ExplicitVRLittleEndian), PixelBytes, Seed);

    /// <summary>The whole data set in memory (small instances only).</summary>
    public byte[] ToArray(DicomTransferSyntax? syntax = null)
    {
        using Stream s = Open(syntax);
        var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    public ArchiveStoreRequest Request(params string[] destinations) => new()
    {
        SopClassUid = SopClass,
        SopInstanceUid = SopUid,
        TransferSyntax = DicomTransferSyntax.ExplicitVRLittleEndian,
        CallingAE = "MODALITY1",
        Destinations = destinations,
    };
}
