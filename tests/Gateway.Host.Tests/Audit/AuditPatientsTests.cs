using Gateway.Audit;
using Gateway.Audit.Records;
using Gateway.Dicom;
using Gateway.Dicom.Model;
using Gateway.Host.Audit;

namespace Gateway.Host.Tests.Audit;

/// <summary>Patient participant objects from what devices send, hostile values included: the record stays valid.</summary>
public sealed class AuditPatientsTests : IDisposable
{
    private readonly Gateway.Dicom.Network.Interop.Tests.Support.TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Of_APatientId_IsPatientRolePatientNumber_WithDicomPaddingTrimmed()
    {
        AuditParticipantObject patient = Assert.Single(AuditPatients.Of("PAT-001 \0"));

        Assert.Equal("PAT-001", patient.ObjectId);
        Assert.True(patient.IsPatient);
        Assert.Equal(AuditCodes.PatientNumber, patient.IdTypeCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\0\0")]
    public void Of_NoPatientId_GivesNoObject(string? id) => Assert.Empty(AuditPatients.Of(id));

    [Fact]
    public async Task Of_HostileValues_GiveRecordsTheLogAccepts()
    {
        string[] hostile =
        [
            "A\u0001B\u001FC\u007F",
            new string('X', 5000),
            "lone \uD800 surrogate",
            "pair \uD83D\uDE00 kept",
            "\uFFFE\uFFFF",
        ];
        AuditParticipantObject[] objects = [.. AuditPatients.Of(hostile)];

        Assert.Equal(hostile.Length, objects.Length);
        Assert.Equal("A\uFFFDB\uFFFDC\uFFFD", objects[0].ObjectId);
        Assert.Equal(AuditRecordLimits.MaxStringLength, objects[1].ObjectId.Length);
        Assert.Equal("lone \uFFFD surrogate", objects[2].ObjectId);
        Assert.Equal("pair \uD83D\uDE00 kept", objects[3].ObjectId);
        AuditLog log = AuditLog.Open(new AuditLogOptions { Directory = _temp.Sub("audit") });
        await using (log)
        {
            foreach (AuditParticipantObject patient in objects)
            {
                await log.AppendAsync(new AuditRecord
                {
                    EventId = AuditEventId.Import,
                    Action = AuditEventAction.Create,
                    EventTime = DateTimeOffset.UtcNow,
                    Outcome = AuditEventOutcome.Success,
                    ActiveParticipants = [AuditRecords.ApplicationEntity("MODALITY", "127.0.0.1", isRequestor: true)],
                    Source = new AuditSource { SourceId = "test" },
                    ParticipantObjects = [patient],
                });
            }

            Assert.Equal(hostile.Length, log.Size);
        }
    }

    [Fact]
    public void Of_ManyIds_AreDistinctAndCappedAtTheIndexLimit()
    {
        string?[] ids = [.. Enumerable.Range(0, 40).Select(i => "P" + (i % 30).ToString(System.Globalization.CultureInfo.InvariantCulture)), null, " "];

        AuditParticipantObject[] objects = [.. AuditPatients.Of(ids)];

        Assert.Equal(AuditRecordLimits.MaxIndexedPatients, objects.Length);
        Assert.Equal(objects.Length, objects.Select(o => o.ObjectId).Distinct().Count());
    }

    [Theory]
    [InlineData("P2", "P2")]
    [InlineData("P*", null)]
    [InlineData("P?", null)]
    [InlineData("", null)]
    public void OfIdentifier_OnlyAnIdThatNamesOnePatient(string value, string? expected)
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.PatientID, DicomVR.LO, value);

        Assert.Equal(expected, AuditPatients.OfIdentifier(identifier).SingleOrDefault()?.ObjectId);
    }

    [Fact]
    public void OfIdentifier_SeveralIds_NameNoSinglePatient()
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.PatientID, DicomVR.LO, "P1", "P2");

        Assert.Empty(AuditPatients.OfIdentifier(identifier));
    }
}
