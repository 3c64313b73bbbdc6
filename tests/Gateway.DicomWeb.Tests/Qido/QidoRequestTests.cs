using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.DicomWeb.Qido;

namespace Gateway.DicomWeb.Tests.Qido;

public sealed class QidoRequestTests
{
    [Fact]
    public void TryFromIdentifier_StudyQuery_MatchesAndIncludes()
    {
        DicomDataset id = Identifier("STUDY")
            .SetString(DicomTags.PatientID, DicomVR.LO, "PAT 1")
            .SetString(DicomTags.StudyDate, DicomVR.DA, "20240101-")
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI)
            .SetString(DicomTags.PatientName, DicomVR.PN);

        QidoRequest request = Build(id);

        Assert.Equal("studies?StudyDate=20240101-&includefield=PatientName&PatientID=PAT%201&includefield=StudyInstanceUID", request.RelativeUri);
    }

    [Fact]
    public void TryFromIdentifier_InstancesOfASeries_PutsTheUidsInThePath()
    {
        DicomDataset id = Identifier("IMAGE")
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.3")
            .SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, "1.2.3.4")
            .SetString(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.3.4.5", "1.2.3.4.6")
            .SetUInt16(DicomTags.Rows, 512);

        QidoRequest request = Build(id);

        Assert.Equal("studies/1.2.3/series/1.2.3.4/instances?SOPInstanceUID=1.2.3.4.5,1.2.3.4.6&Rows=512", request.RelativeUri);
    }

    [Fact]
    public void RelativeUri_EscapesOnlyWhatBreaksTheQuery()
    {
        QidoRequest request = Build(Identifier("STUDY").SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, "ISO_IR 192").SetString(DicomTags.PatientName, DicomVR.PN, "Mü ller^J*?=a&b#c+d%"));

        Assert.Equal("studies?PatientName=M%C3%BC%20ller^J*?=a%26b%23c%2Bd%25", request.RelativeUri);
        Assert.Equal([new("PatientName", "Mü ller^J*?=a&b#c+d%")], QidoQueryParser.ParseQueryString(request.RelativeUri[8..]));
    }

    [Fact]
    public void TryFromIdentifier_SeriesWithoutAStudy_SearchesAllSeries()
    {
        QidoRequest request = Build(Identifier("SERIES").SetString(DicomTags.Modality, DicomVR.CS, "CT"));

        Assert.Equal("series?Modality=CT", request.RelativeUri);
    }

    [Fact]
    public void TryFromIdentifier_SequenceKey_IsADottedPath()
    {
        var item = new DicomDataset()
            .SetString(DicomTags.ScheduledProcedureStepID, DicomVR.SH, "SPS1")
            .SetString(DicomTags.RequestedProcedureID, DicomVR.SH);
        DicomDataset id = Identifier("SERIES");
        id.Set(new DicomSequence(DicomTags.RequestAttributesSequence, [item]));
        id.Set(new DicomSequence(DicomTags.ReferencedImageSequence, []));

        QidoRequest request = Build(id);

        Assert.Equal(
            [new("includefield", "ReferencedImageSequence"), new("RequestAttributesSequence.ScheduledProcedureStepID", "SPS1"), new("includefield", "RequestAttributesSequence.RequestedProcedureID")],
            request.Parameters);
    }

    [Theory]
    [InlineData("PATIENT")]
    [InlineData("")]
    public void TryFromIdentifier_LevelQidoLacks_Fails(string level)
    {
        Assert.False(QidoRequest.TryFromIdentifier(Identifier(level), out _, out string? error));
        Assert.Contains("Query/Retrieve Level", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFromIdentifier_SeveralNonUidValues_Fails()
    {
        Assert.False(QidoRequest.TryFromIdentifier(Identifier("SERIES").SetString(DicomTags.Modality, DicomVR.CS, "CT", "MR"), out _, out string? error));
        Assert.Contains("Modality", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFromIdentifier_ThenParse_GivesTheSameMatchingKeys()
    {
        DicomDataset id = Identifier("IMAGE")
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.3")
            .SetString(DicomTags.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4")
            .SetString(DicomTags.InstanceNumber, DicomVR.IS, "7")
            .SetString(DicomTags.ContentDate, DicomVR.DA, "20240101-20240131")
            .SetString(DicomTags.NumberOfFrames, DicomVR.IS);
        QidoRequest request = Build(id);
        string query = request.RelativeUri[(request.RelativeUri.IndexOf('?', StringComparison.Ordinal) + 1)..];

        Assert.True(QidoQueryParser.TryParse(request.Resource, QidoQueryParser.ParseQueryString(query), out QidoQuery? parsed, out QidoQueryError? error), error?.ToString());

        foreach (DicomItem item in id.Where(i => i.Tag != DicomTags.QueryRetrieveLevel))
        {
            Assert.Equal(id.GetStrings(item.Tag), parsed.Identifier.GetStrings(item.Tag));
        }
    }

    private static DicomDataset Identifier(string level) => new DicomDataset().SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, level);

    private static QidoRequest Build(DicomDataset identifier)
    {
        Assert.True(QidoRequest.TryFromIdentifier(identifier, out QidoRequest? request, out string? error), error);
        return request;
    }
}
