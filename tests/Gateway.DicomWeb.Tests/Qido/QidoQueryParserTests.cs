using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Json;
using Gateway.DicomWeb.Qido;

namespace Gateway.DicomWeb.Tests.Qido;

public sealed class QidoQueryParserTests
{
    [Fact]
    public void TryParse_StudySearch_BuildsTheStudyRootIdentifier()
    {
        QidoQuery query = Parse(QidoResource.Studies(), "PatientID=PAT001&StudyDate=20240101-20241231&includefield=StudyDescription&limit=10&offset=20&fuzzymatching=true");

        DicomDataset id = query.Identifier;
        Assert.Equal("STUDY", id.GetString(DicomTags.QueryRetrieveLevel));
        Assert.Equal("PAT001", id.GetString(DicomTags.PatientID));
        Assert.Equal("20240101-20241231", id.GetString(DicomTags.StudyDate));
        Assert.True(id.Contains(DicomTags.StudyDescription));
        Assert.Null(id.GetString(DicomTags.StudyDescription));
        foreach (DicomTag tag in QidoDefaultAttributes.Study)
        {
            Assert.True(id.Contains(tag), tag.ToString());
        }

        Assert.False(id.Contains(DicomTags.SpecificCharacterSet));
        Assert.False(id.Contains(DicomTags.RetrieveURL));
        Assert.Equal((10, 20, true, false, false), (query.Limit, query.Offset, query.FuzzyMatching, query.IncludeAllFields, query.LimitLowered));
        Assert.Equal([DicomTags.StudyDescription], query.IncludeFields);
        Assert.Equal([(DicomTags.PatientID, "PAT001"), (DicomTags.StudyDate, "20240101-20241231")], query.MatchingKeys.Select(k => (k.Tag, k.Value)));
    }

    [Fact]
    public void TryParse_InstancesOfASeriesInTheirStudy_MatchesThePathUids()
    {
        QidoQuery query = Parse(QidoResource.Instances("1.2.3", "1.2.3.4"), "SOPClassUID=1.2.840.10008.5.1.4.1.1.2,1.2.840.10008.5.1.4.1.1.4");

        DicomDataset id = query.Identifier;
        Assert.Equal("IMAGE", id.GetString(DicomTags.QueryRetrieveLevel));
        Assert.Equal("1.2.3", id.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal("1.2.3.4", id.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(["1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4"], id.GetStrings(DicomTags.SOPClassUID));
        Assert.False(id.Contains(DicomTags.PatientName));
        Assert.False(id.Contains(DicomTags.Modality));
        Assert.True(id.Contains(DicomTags.NumberOfFrames));
    }

    [Fact]
    public void TryParse_InstancesAcrossStudies_ReturnStudyAndSeriesAttributesToo()
    {
        QidoQuery query = Parse(QidoResource.Instances(), string.Empty);

        Assert.True(query.Identifier.Contains(DicomTags.PatientName));
        Assert.True(query.Identifier.Contains(DicomTags.Modality));
        Assert.True(query.Identifier.Contains(DicomTags.SOPInstanceUID));
        Assert.IsType<DicomSequence>(query.Identifier[DicomTags.RequestAttributesSequence]);
    }

    [Fact]
    public void TryParse_TagsAndSequencePaths_NestTheKeys()
    {
        QidoQuery query = Parse(QidoResource.Series("1.2.3"), "00080060=CT&RequestAttributesSequence.ScheduledProcedureStepID=SPS*&includefield=RequestAttributesSequence.RequestedProcedureID,00200011");

        DicomDataset id = query.Identifier;
        Assert.Equal("CT", id.GetString(DicomTags.Modality));
        DicomDataset item = Assert.Single(id.GetSequence(DicomTags.RequestAttributesSequence)!.Items);
        Assert.Equal("SPS*", item.GetString(DicomTags.ScheduledProcedureStepID));
        Assert.True(item.Contains(DicomTags.RequestedProcedureID));
        Assert.Equal([DicomTags.RequestAttributesSequence, DicomTags.ScheduledProcedureStepID], query.MatchingKeys[^1].Path);
    }

    [Fact]
    public void TryParse_NonAsciiName_DeclaresUtf8AndEncodesIt()
    {
        QidoQuery query = Parse(QidoResource.Studies(), "PatientName=M%C3%BCller*");

        Assert.Equal("ISO_IR 192", query.Identifier.GetString(DicomTags.SpecificCharacterSet));
        Assert.Equal("Müller*", query.Identifier.GetString(DicomTags.PatientName));
        Assert.Equal("Müller*"u8.ToArray(), ((DicomElement)query.Identifier[DicomTags.PatientName]!).Value.ToArray());
    }

    [Fact]
    public void TryParse_NumericKeys_AreEncodedInBinary()
    {
        QidoQuery query = Parse(QidoResource.Instances("1.2"), "Rows=512&InstanceNumber=7&00280009=00181063");

        Assert.Equal(new byte[] { 0x00, 0x02 }, ((DicomElement)query.Identifier[DicomTags.Rows]!).Value.ToArray());
        Assert.Equal("7", query.Identifier.GetString(DicomTags.InstanceNumber));
        Assert.Equal(new byte[] { 0x18, 0x00, 0x63, 0x10 }, ((DicomElement)query.Identifier[DicomTags.FrameIncrementPointer]!).Value.ToArray());
    }

    [Fact]
    public void TryParse_NoOrHugeLimit_IsLoweredToTheMaximum()
    {
        var options = new QidoQueryOptions { MaxLimit = 50 };

        QidoQuery none = Parse(QidoResource.Studies(), string.Empty, options);
        QidoQuery huge = Parse(QidoResource.Studies(), "limit=100000", options);
        QidoQuery small = Parse(QidoResource.Studies(), "limit=5", options);

        Assert.Equal((50, true), (none.Limit, none.LimitLowered));
        Assert.Equal((50, true), (huge.Limit, huge.LimitLowered));
        Assert.Equal((5, false), (small.Limit, small.LimitLowered));
    }

    [Theory]
    [InlineData("StudyDate=20240101")]
    [InlineData("StudyDate=-20240101")]
    [InlineData("StudyDate=20240101-")]
    [InlineData("StudyTime=10")]
    [InlineData("StudyTime=101530.123456-235959")]
    [InlineData("AcquisitionDateTime=2024")]
    [InlineData("AcquisitionDateTime=20240131235959.5-0500")]
    [InlineData("AcquisitionDateTime=2024-2025")]
    [InlineData("PatientName=")]
    [InlineData("PatientName=Doe^J*")]
    [InlineData("PatientAge=045Y")]
    [InlineData("ModalitiesInStudy=CT")]
    [InlineData("includefield=all")]
    [InlineData("includefield=PatientAge&includefield=PatientWeight")]
    [InlineData("fuzzymatching=false")]
    [InlineData("offset=0")]
    [InlineData("AccessionNumber=A%3F%3F1")]
    public void TryParse_Valid_Succeeds(string queryString)
    {
        Assert.True(QidoQueryParser.TryParse(QidoResource.Studies(), QidoQueryParser.ParseQueryString(queryString), out _, out QidoQueryError? error), error?.ToString());
    }

    [Theory]
    [InlineData("Foo=1", "Foo")]
    [InlineData("patientid=1", "patientid")]
    [InlineData("00091010=x", "00091010")]
    [InlineData("PatientID=1&PatientID=2", "PatientID")]
    [InlineData("PatientID=1&00100020=2", "00100020")]
    [InlineData("QueryRetrieveLevel=IMAGE", "QueryRetrieveLevel")]
    [InlineData("SpecificCharacterSet=ISO_IR%20100", "SpecificCharacterSet")]
    [InlineData("SOPInstanceUID=1.2", "SOPInstanceUID")]
    [InlineData("SeriesInstanceUID=1.2", "SeriesInstanceUID")]
    [InlineData("StudyInstanceUID=1.02", "StudyInstanceUID")]
    [InlineData("StudyInstanceUID=1.2,x", "StudyInstanceUID")]
    [InlineData("StudyInstanceUID=1.2*", "StudyInstanceUID")]
    [InlineData("StudyDate=2024", "StudyDate")]
    [InlineData("StudyDate=20240230", "StudyDate")]
    [InlineData("StudyDate=20241231-20240101", "StudyDate")]
    [InlineData("StudyDate=-", "StudyDate")]
    [InlineData("StudyDate=2024*", "StudyDate")]
    [InlineData("StudyTime=25", "StudyTime")]
    [InlineData("StudyTime=10:15", "StudyTime")]
    [InlineData("AcquisitionDateTime=20240230", "AcquisitionDateTime")]
    [InlineData("PatientAge=45", "PatientAge")]
    [InlineData("NumberOfStudyRelatedSeries=x", "NumberOfStudyRelatedSeries")]
    [InlineData("Rows=70000", "Rows")]
    [InlineData("PatientName=A%5CB", "PatientName")]
    [InlineData("PatientName=A%0AB", "PatientName")]
    [InlineData("Modality=%C3%A9", "Modality")]
    [InlineData("Modality=" + "ABCDEFGHIJKLMNOPQ", "Modality")]
    [InlineData("ReferencedStudySequence=1.2", "ReferencedStudySequence")]
    [InlineData("PatientID.PatientName=x", "PatientID.PatientName")]
    [InlineData("A.B.C.D=x", "A.B.C.D")]
    [InlineData("PixelData=x", "PixelData")]
    [InlineData("includefield=Nope", "includefield")]
    [InlineData("fuzzymatching=yes", "fuzzymatching")]
    [InlineData("fuzzymatching=true&fuzzymatching=true", "fuzzymatching")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=1e3", "limit")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("offset=100001", "offset")]
    [InlineData("=x", null)]
    public void TryParse_Invalid_Is400NamingTheParameter(string queryString, string? parameter)
    {
        bool ok = QidoQueryParser.TryParse(QidoResource.Studies(), QidoQueryParser.ParseQueryString(queryString), out QidoQuery? query, out QidoQueryError? error);

        Assert.False(ok, query?.ToString());
        Assert.Equal(parameter, error!.Parameter);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void TryParse_Errors_NeverQuoteTheValue()
    {
        Assert.False(QidoQueryParser.TryParse(QidoResource.Studies(), QidoQueryParser.ParseQueryString("PatientBirthDate=SECRET-1970"), out _, out QidoQueryError? error));

        Assert.DoesNotContain("SECRET", error!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TooManyParameters_Is400()
    {
        string queryString = string.Join('&', Enumerable.Range(0, 65).Select(_ => "includefield=PatientAge"));

        Assert.False(QidoQueryParser.TryParse(QidoResource.Studies(), QidoQueryParser.ParseQueryString(queryString), out _, out QidoQueryError? error));
        Assert.Null(error!.Parameter);
    }

    [Theory]
    [InlineData("1.02", null)]
    [InlineData("1.2", "x")]
    public void TryParse_InvalidPathUid_Is400(string study, string? series)
    {
        Assert.False(QidoQueryParser.TryParse(QidoResource.Instances(study, series), [], out _, out QidoQueryError? error));
        Assert.NotNull(error);
    }

    [Fact]
    public void TryParse_PathStudyAlsoInTheQuery_Is400()
    {
        Assert.False(QidoQueryParser.TryParse(QidoResource.Series("1.2"), QidoQueryParser.ParseQueryString("StudyInstanceUID=1.2"), out _, out QidoQueryError? error));
        Assert.Equal("StudyInstanceUID", error!.Parameter);
    }

    [Fact]
    public void ParseQueryString_DecodesPercentAndPlusAndKeepsOrder()
    {
        IReadOnlyList<KeyValuePair<string, string?>> pairs = QidoQueryParser.ParseQueryString("?PatientName=Doe%5EJ+ohn&&flag&includefield=a,b");

        Assert.Equal([new("PatientName", "Doe^J ohn"), new("flag", null), new("includefield", "a,b")], pairs);
    }

    [Fact]
    public void Identifier_WrittenAsJson_ReadsBackTheSame()
    {
        QidoQuery query = Parse(QidoResource.Studies(), "PatientName=Yamada*&StudyDate=20240101-&ModalitiesInStudy=MR");

        string json = DicomWebJsonWriter.Serialize(query.Identifier);

        Assert.Equal(json, DicomWebJsonWriter.Serialize(DicomJsonReader.Parse(json)));
    }

    private static QidoQuery Parse(QidoResource resource, string queryString, QidoQueryOptions? options = null)
    {
        Assert.True(QidoQueryParser.TryParse(resource, QidoQueryParser.ParseQueryString(queryString), out QidoQuery? query, out QidoQueryError? error, options), error?.ToString());
        return query;
    }
}
