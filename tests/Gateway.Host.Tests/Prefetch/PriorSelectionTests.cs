using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Host.Configuration;
using Gateway.Host.Prefetch;

namespace Gateway.Host.Tests.Prefetch;

public sealed class PriorSelectionTests
{
    private static DicomDataset Study(string patientId, string uid, string? date, string? time = null, params string[] modalities)
    {
        var answer = new DicomDataset();
        answer.SetString(DicomTags.PatientID, DicomVR.LO, patientId)
            .SetString(DicomTags.StudyInstanceUID, DicomVR.UI, uid);
        if (date is not null)
        {
            answer.SetString(DicomTags.StudyDate, DicomVR.DA, date);
        }

        if (time is not null)
        {
            answer.SetString(DicomTags.StudyTime, DicomVR.TM, time);
        }

        if (modalities.Length > 0)
        {
            answer.SetString(DicomTags.ModalitiesInStudy, DicomVR.CS, modalities);
        }

        return answer;
    }

    private static DicomDataset Series(string? study, string uid, string? modality, string? bodyPart)
    {
        var answer = new DicomDataset();
        if (study is not null)
        {
            answer.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, study);
        }

        answer.SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, uid);
        if (modality is not null)
        {
            answer.SetString(DicomTags.Modality, DicomVR.CS, modality);
        }

        if (bodyPart is not null)
        {
            answer.SetString(DicomTags.BodyPartExamined, DicomVR.CS, bodyPart);
        }

        return answer;
    }

    private static PrefetchOptions Options(string[]? modalities = null, string[]? bodyParts = null)
    {
        var options = new PrefetchOptions();
        options.Modalities.AddRange(modalities ?? []);
        options.BodyParts.AddRange(bodyParts ?? []);
        return options;
    }

    [Fact]
    public void Candidates_NewestFirst_UndatedLast_EachOnce()
    {
        DicomDataset[] answers =
        [
            Study("P1", "1.1", "20220101"),
            Study("P1", "1.2", null),
            Study("P1", "1.3", "20240101", "0800"),
            Study("P1", "1.4", "20240101", "1700"),
            Study("P1", "1.3", "20240101", "0800"),
        ];

        IReadOnlyList<PriorStudy> candidates = PriorSelection.Candidates(answers, "P1", null, Options());

        Assert.Equal(["1.4", "1.3", "1.1", "1.2"], candidates.Select(c => c.StudyInstanceUid));
    }

    [Fact]
    public void Candidates_OtherPatientsInvalidUidsAndTheScheduledStudy_AreDropped()
    {
        DicomDataset[] answers =
        [
            Study("P2", "1.1", "20240101"),
            Study("P1 X", "1.2", "20240101"),
            Study("P1", "1.2.*", "20240101"),
            Study("P1", "1.02", "20240101"),
            Study("P1", "1.5\\1.6", "20240101"),
            Study("P1", "9.9", "20260101"),
            Study("P1", "1.7", "20230101"),
        ];

        IReadOnlyList<PriorStudy> candidates = PriorSelection.Candidates(answers, "P1", "9.9", Options());

        Assert.Equal(["1.7"], candidates.Select(c => c.StudyInstanceUid));
    }

    [Fact]
    public void Candidates_ModalitiesInStudyWithoutAFilteredOne_AreDropped_UnknownModalitiesKept()
    {
        DicomDataset[] answers =
        [
            Study("P1", "1.1", "20240101", null, "US"),
            Study("P1", "1.2", "20230101", null, "ct", "SR"),
            Study("P1", "1.3", "20220101"),
        ];

        IReadOnlyList<PriorStudy> candidates = PriorSelection.Candidates(answers, "P1", null, Options(modalities: ["CT"]));

        Assert.Equal(["1.2", "1.3"], candidates.Select(c => c.StudyInstanceUid));
        Assert.Equal(["CT", "SR"], candidates[0].Modalities);
    }

    [Fact]
    public void MatchingSeries_ModalityAndBodyPart_BothMustMatch_CaseAndPaddingIgnored()
    {
        DicomDataset[] answers =
        [
            Series("1.1", "2.1", "CT", "CHEST"),
            Series("1.1", "2.2", "CT", "HEAD"),
            Series("1.1", "2.3", "MR", "CHEST"),
            Series(null, "2.4", "ct ", "chest"),
            Series("1.1", "2.5", "CT", null),
        ];

        IReadOnlyList<string> matching = PriorSelection.MatchingSeries(answers, "1.1", Options(["CT"], ["CHEST"]));

        Assert.Equal(["2.1", "2.4"], matching);
    }

    [Fact]
    public void MatchingSeries_OtherStudyInvalidAndRepeatedSeries_AreDropped()
    {
        DicomDataset[] answers =
        [
            Series("1.9", "2.1", "CT", null),
            Series("1.1", "2.*", "CT", null),
            Series("1.1", "2.6\\2.7", "CT", null),
            Series("1.1\\1.9", "2.8", "CT", null),
            Series("1.1", "2.2", "CT", null),
            Series("1.1", "2.2", "CT", null),
        ];

        IReadOnlyList<string> matching = PriorSelection.MatchingSeries(answers, "1.1", Options(["CT"]));

        Assert.Equal(["2.2"], matching);
    }

    [Fact]
    public void FiltersSeries_OnlyWithAFilter()
    {
        Assert.False(PriorSelection.FiltersSeries(Options()));
        Assert.True(PriorSelection.FiltersSeries(Options(modalities: ["CT"])));
        Assert.True(PriorSelection.FiltersSeries(Options(bodyParts: ["CHEST"])));
    }
}
