using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Host.Prefetch;

namespace Gateway.Host.Tests.Prefetch;

public sealed class ScheduledProcedureTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    private static DicomDataset Item(string? patientId, params (string? Date, string? Time)[] steps)
    {
        var item = new DicomDataset();
        if (patientId is not null)
        {
            item.SetString(DicomTags.PatientID, DicomVR.LO, patientId);
        }

        item.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.3.4");
        var sequence = new List<DicomDataset>();
        foreach ((string? date, string? time) in steps)
        {
            var step = new DicomDataset();
            if (date is not null)
            {
                step.SetString(DicomTags.ScheduledProcedureStepStartDate, DicomVR.DA, date);
            }

            if (time is not null)
            {
                step.SetString(DicomTags.ScheduledProcedureStepStartTime, DicomVR.TM, time);
            }

            sequence.Add(step);
        }

        item.Set(new DicomSequence(DicomTags.ScheduledProcedureStepSequence, sequence));
        return item;
    }

    [Fact]
    public void FromWorklistItem_TakesPatientStudyAndTheEarliestStep()
    {
        ScheduledProcedure? procedure = ScheduledProcedure.FromWorklistItem(Item(" P1 ", ("20260302", "1430"), ("20260302", "091500")), Utc);

        Assert.NotNull(procedure);
        Assert.Equal("P1", procedure.PatientId);
        Assert.Equal("1.2.3.4", procedure.StudyInstanceUid);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 15, 0, TimeSpan.Zero), procedure.ScheduledAt);
    }

    [Fact]
    public void FromWorklistItem_StepWithoutTime_CountsFromMidnight()
    {
        ScheduledProcedure? procedure = ScheduledProcedure.FromWorklistItem(Item("P1", ("20260302", null)), Utc);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), procedure?.ScheduledAt);
    }

    [Fact]
    public void FromWorklistItem_LocalTimesOfTheZone()
    {
        TimeZoneInfo berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        ScheduledProcedure? procedure = ScheduledProcedure.FromWorklistItem(Item("P1", ("20260702", "0900")), berlin);

        Assert.Equal(new DateTimeOffset(2026, 7, 2, 7, 0, 0, TimeSpan.Zero), procedure?.ScheduledAt.ToUniversalTime());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("P*")]
    [InlineData("P?1")]
    [InlineData("P1\\P2")]
    [InlineData("P\u00011")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public void FromWorklistItem_PatientIdThatWouldMatchMoreOrIsInvalid_IsSkipped(string? patientId)
    {
        Assert.Null(ScheduledProcedure.FromWorklistItem(Item(patientId, ("20260302", "0900")), Utc));
    }

    [Fact]
    public void FromWorklistItem_NoStepWithAValidDate_IsSkipped()
    {
        Assert.Null(ScheduledProcedure.FromWorklistItem(Item("P1"), Utc));
        Assert.Null(ScheduledProcedure.FromWorklistItem(Item("P1", ("2026-13-45", "0900"), (null, "0900")), Utc));
    }

    [Fact]
    public void FromWorklistItem_InvalidStudyUid_IsLeftOut()
    {
        DicomDataset item = Item("P1", ("20260302", "0900"));
        item.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, "1.2.*");

        Assert.Null(ScheduledProcedure.FromWorklistItem(item, Utc)?.StudyInstanceUid);
    }

    [Theory]
    [InlineData("2026-03-02T00:00:00Z", true)]
    [InlineData("2026-03-02T08:00:00Z", true)]
    [InlineData("2026-03-02T12:00:00Z", true)]
    [InlineData("2026-03-02T12:00:01Z", false)]
    [InlineData("2026-03-01T23:59:59Z", false)]
    public void IsDue_FromStartOfTodayToLeadTimeAhead(string scheduledAt, bool due)
    {
        var procedure = new ScheduledProcedure("P1", null, DateTimeOffset.Parse(scheduledAt, System.Globalization.CultureInfo.InvariantCulture), null);

        Assert.Equal(due, procedure.IsDue(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(2)));
    }
}
