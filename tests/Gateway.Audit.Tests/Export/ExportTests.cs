using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using Gateway.Audit.Checkpoints;
using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;

namespace Gateway.Audit.Tests.Export;

public sealed class ExportTests : IAsyncLifetime
{
    private readonly TestDirectory _dir = new();

    private string LogDir => _dir.Combine("log");

    public async Task InitializeAsync() => await TestLogs.CreateAsync(LogDir, 20, checkpointEvery: 6);

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(AuditExportFormat.Jsonl, false)]
    [InlineData(AuditExportFormat.Csv, false)]
    [InlineData(AuditExportFormat.AtnaXml, false)]
    [InlineData(AuditExportFormat.Fhir, false)]
    [InlineData(AuditExportFormat.Jsonl, true)]
    [InlineData(AuditExportFormat.Fhir, true)]
    public async Task Export_ThenVerifyExport_ProvesEveryRecord(AuditExportFormat format, bool zip)
    {
        string bundle = _dir.Combine(zip ? "bundle.zip" : "bundle");
        AuditExportResult result = await ExportAsync(bundle, format, new AuditFilter { PatientId = "PID-1" });

        Assert.True(result.RecordCount > 0);
        AuditBundleReport report = AuditBundleVerifier.Verify(bundle, TrustedKey());
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(result.RecordCount, report.VerifiedRecords);
        Assert.True(report.KeyTrusted);
    }

    [Fact]
    public async Task Export_OfALogOverSeveralProofBlocks_VerifiesEveryRecord()
    {
        // 700 more records: the log spans three blocks of 256 leaves, the last one partial, and the filter picks from each.
        await TestLogs.CreateAsync(LogDir, 700, checkpointEvery: 97);
        string bundle = _dir.Combine("many");
        AuditExportResult result = await ExportAsync(bundle, AuditExportFormat.Jsonl, new AuditFilter { PatientId = "PID-2" });

        AuditBundleReport report = AuditBundleVerifier.Verify(bundle, TrustedKey());

        Assert.True(result.RecordCount > 150, result.RecordCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(result.RecordCount, report.VerifiedRecords);
    }

    [Fact]
    public async Task Export_IsItselfAudited_AsAuditLogUsed()
    {
        AuditExportResult result = await ExportAsync(_dir.Combine("bundle"), AuditExportFormat.Jsonl, new AuditFilter { PatientId = "PID-2" });

        using AuditDataKey key = AuditDataKey.Load(new AuditLogPaths(LogDir).DataKey, create: false);
        AuditSearchHit used = Assert.Single(AuditSearch.Search(LogDir, key, new AuditFilter { EventId = AuditEventId.AuditLogUsed }));
        Assert.Equal(result.AuditRecordIndex, used.Index);
        Assert.Equal(AuditEventAction.Read, used.Record.Action);
        Assert.Equal("officer", used.Record.ActiveParticipants[0].UserId);
        AuditParticipantObject logObject = used.Record.ParticipantObjects[0];
        Assert.Equal((2, 13, "12"), (logObject.TypeCode, logObject.TypeCodeRole, logObject.IdTypeCode.Code));
        // Searching for the patient finds who exported their records.
        Assert.Contains(AuditSearch.Search(LogDir, key, new AuditFilter { PatientId = "PID-2" }), h => h.Record.EventId == AuditEventId.AuditLogUsed);
    }

    [Fact]
    public async Task VerifyExport_AlteredRecordsFile_NamesTheRecord()
    {
        string bundle = _dir.Combine("bundle");
        await ExportAsync(bundle, AuditExportFormat.Jsonl, new AuditFilter());
        string records = Path.Combine(bundle, "records.jsonl");
        string[] lines = File.ReadAllLines(records);
        lines[3] = lines[3].Replace("CT_SCANNER", "CT_SCANNEX", StringComparison.Ordinal).Replace("mallory", "mallorz", StringComparison.Ordinal);
        File.WriteAllText(records, string.Join('\n', lines) + "\n");

        AuditBundleReport report = AuditBundleVerifier.Verify(bundle, TrustedKey());
        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.Contains("record 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyExport_RemovedRecord_IsDetected()
    {
        string bundle = _dir.Combine("bundle");
        await ExportAsync(bundle, AuditExportFormat.Csv, new AuditFilter());
        string records = Path.Combine(bundle, "records.csv");
        List<string> lines = File.ReadAllText(records).Split("\r\n").ToList();
        lines.RemoveAt(5);
        File.WriteAllText(records, string.Join("\r\n", lines));

        Assert.False(AuditBundleVerifier.Verify(bundle, TrustedKey()).IsValid);
    }

    [Fact]
    public async Task VerifyExport_AlteredLeafOrProof_IsDetected()
    {
        string bundle = _dir.Combine("bundle");
        await ExportAsync(bundle, AuditExportFormat.AtnaXml, new AuditFilter());
        string proofs = Path.Combine(bundle, "proofs.jsonl");
        string[] lines = File.ReadAllLines(proofs);
        int at = lines[2].IndexOf("\"inclusionProof\":[\"", StringComparison.Ordinal) + 19;
        char[] chars = lines[2].ToCharArray();
        chars[at] = chars[at] == 'a' ? 'b' : 'a';
        lines[2] = new string(chars);
        File.WriteAllLines(proofs, lines);

        AuditBundleReport report = AuditBundleVerifier.Verify(bundle, TrustedKey());
        Assert.Contains(report.Problems, p => p.StartsWith("record 2: not included", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyExport_ForgedBundleWithItsOwnKey_FailsAgainstTheTrustedKey()
    {
        string bundle = _dir.Combine("bundle");
        await ExportAsync(bundle, AuditExportFormat.Jsonl, new AuditFilter());
        NoteSigner forger = NoteSigner.Generate("test.example/audit");
        string checkpoint = File.ReadAllText(Path.Combine(bundle, "checkpoint.txt"));
        string body = checkpoint[..(checkpoint.LastIndexOf("\n\n", StringComparison.Ordinal) + 1)];
        File.WriteAllText(Path.Combine(bundle, "checkpoint.txt"), forger.Sign(body));
        File.WriteAllText(Path.Combine(bundle, "public-key.txt"), forger.Verifier.Encode() + "\n");

        Assert.True(AuditBundleVerifier.Verify(bundle).IsValid); // self-consistent with its own key ...
        AuditBundleReport trusted = AuditBundleVerifier.Verify(bundle, TrustedKey()); // ... but not signed by the log
        Assert.False(trusted.IsValid);
        Assert.Contains(trusted.Problems, p => p.Contains("checkpoint.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyExport_ZipWithHugeDeclaredEntry_IsRefusedBeforeReading()
    {
        string path = _dir.Combine("evil.zip");
        using (ZipArchive archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            for (int i = 0; i < 20; i++)
            {
                archive.CreateEntry("f" + i);
            }
        }

        await Task.CompletedTask;
        Assert.Throws<IOException>(() => AuditBundleVerifier.Verify(path));
    }

    /// <summary>One file of a valid bundle replaced by hostile content (the file, then what it becomes).</summary>
    public static TheoryData<string, string> HostileBundleFiles => new()
    {
        { "proofs.jsonl", "\u00ff\u00fe not UTF-8" },
        { "public-key.txt", "\u00ff\u00fe not UTF-8" },
        { "checkpoint.txt", "\u00ff\u00fe not UTF-8" },
        { "manifest.json", "\u00ff\u00fe not UTF-8" },
        { "proofs.jsonl", "" },
        { "public-key.txt", "" },
        { "checkpoint.txt", "" },
        { "manifest.json", "" },
        { "proofs.jsonl", "null\n[]\n\"x\"\n{}\n" },
        { "proofs.jsonl", "{\"index\":-1,\"leafHash\":\"\",\"leaf\":\"\",\"recordKey\":\"\",\"inclusionProof\":[]}\n" },
        { "proofs.jsonl", "{\"index\":9223372036854775807,\"leafHash\":\"00\",\"leaf\":\"AAAA\",\"recordKey\":\"AAAA\",\"inclusionProof\":[\"00\"]}\n" },
        { "proofs.jsonl", "{\"index\":1.5,\"leafHash\":7,\"leaf\":[],\"recordKey\":{},\"inclusionProof\":[1,2]}\n" },
        { "proofs.jsonl", "{\"index\":0,\"leafHash\":\"zz\",\"leaf\":\"!!!\",\"recordKey\":\"AAAA\",\"inclusionProof\":\"no\"}\n" },
        { "manifest.json", "{\"bundle\":\"gateway-audit-export v1\",\"format\":\"jsonl\",\"recordsFile\":\"records.jsonl\",\"recordCount\":-5}" },
        { "manifest.json", "{\"bundle\":\"gateway-audit-export v1\",\"format\":\"jsonl\",\"recordsFile\":\"records.jsonl\",\"recordCount\":1e40}" },
        { "manifest.json", "{\"bundle\":\"gateway-audit-export v1\",\"format\":\"jsonl\",\"recordsFile\":\"../../etc/passwd\",\"recordCount\":1}" },
        { "manifest.json", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]" },
        { "checkpoint.txt", "test.example/audit\n-1\nAAAA\n\n\u2014 test.example/audit AAAA\n" },
        { "records.jsonl", "\u00ff\u00fe not UTF-8" },
    };

    [Theory]
    [MemberData(nameof(HostileBundleFiles))]
    public async Task VerifyExport_HostileFile_IsReportedNotThrown(string file, string content)
    {
        string bundle = _dir.Combine("bundle");
        await ExportAsync(bundle, AuditExportFormat.Jsonl, new AuditFilter());
        // "\u00ff\u00fe" stands for the bytes FF FE, which no UTF-8 text holds.
        byte[] bytes = content.StartsWith('\u00ff') ? [0xFF, 0xFE, .. Encoding.UTF8.GetBytes(content[2..])] : Encoding.UTF8.GetBytes(content);
        await File.WriteAllBytesAsync(Path.Combine(bundle, file), bytes);

        foreach (NoteVerifier? key in new[] { TrustedKey(), null })
        {
            AuditBundleReport report = AuditBundleVerifier.Verify(bundle, key);

            Assert.False(report.IsValid);
            Assert.NotEmpty(report.Problems);
            Assert.Equal(0, report.VerifiedRecords);
        }
    }

    [Fact]
    public async Task Export_AtnaXml_FollowsTheDicomAuditSchema()
    {
        string bundle = _dir.Combine("bundle");
        await ExportAsync(bundle, AuditExportFormat.AtnaXml, new AuditFilter { EventId = AuditEventId.DicomInstancesTransferred });
        XDocument doc = XDocument.Load(Path.Combine(bundle, "records.xml"));
        XElement message = doc.Root!.Elements("AuditMessage").First();

        XElement eventId = message.Element("EventIdentification")!.Element("EventID")!;
        Assert.Equal(("110104", "DCM", "DICOM Instances Transferred"), ((string)eventId.Attribute("csd-code")!, (string)eventId.Attribute("codeSystemName")!, (string)eventId.Attribute("originalText")!));
        Assert.Equal("C", (string)message.Element("EventIdentification")!.Attribute("EventActionCode")!);
        XElement requestor = message.Elements("ActiveParticipant").First();
        Assert.Equal("true", (string)requestor.Attribute("UserIsRequestor")!);
        Assert.Equal("AETITLES=CT_SCANNER", (string)requestor.Attribute("AlternativeUserID")!);
        Assert.Equal("2", (string)requestor.Attribute("NetworkAccessPointTypeCode")!);
        Assert.Equal("110153", (string)requestor.Element("RoleIDCode")!.Attribute("csd-code")!);
        XElement patient = message.Elements("ParticipantObjectIdentification").First();
        Assert.Equal(("1", "1"), ((string)patient.Attribute("ParticipantObjectTypeCode")!, (string)patient.Attribute("ParticipantObjectTypeCodeRole")!));
        XElement study = message.Elements("ParticipantObjectIdentification").Skip(1).First();
        Assert.Equal("3", (string)study.Element("SOPClass")!.Attribute("NumberOfInstances")!);
        Assert.Contains(message.Elements("ParticipantObjectIdentification"), o => (string?)o.Element("ParticipantObjectIDTypeCode")!.Attribute("csd-code") == "rule");
    }

    [Fact]
    public async Task Export_Fhir_IsABundleOfAuditEvents()
    {
        string bundle = _dir.Combine("bundle");
        await ExportAsync(bundle, AuditExportFormat.Fhir, new AuditFilter { EventId = AuditEventId.DicomInstancesTransferred });
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(bundle, "records.fhir.json")));
        System.Text.Json.JsonElement resource = doc.RootElement.GetProperty("entry")[0].GetProperty("resource");

        Assert.Equal("Bundle", doc.RootElement.GetProperty("resourceType").GetString());
        Assert.Equal("AuditEvent", resource.GetProperty("resourceType").GetString());
        Assert.Equal("110104", resource.GetProperty("type").GetProperty("code").GetString());
        Assert.Equal("http://dicom.nema.org/resources/ontology/DCM", resource.GetProperty("type").GetProperty("system").GetString());
        Assert.True(resource.GetProperty("agent")[0].GetProperty("requestor").GetBoolean());
        Assert.Equal("1", resource.GetProperty("entity")[0].GetProperty("role").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Export_OutputExists_IsRefusedAndNothingIsAudited()
    {
        string bundle = _dir.Combine("exists");
        Directory.CreateDirectory(bundle);
        await File.WriteAllTextAsync(Path.Combine(bundle, "x"), "x");

        await Assert.ThrowsAsync<IOException>(() => ExportAsync(bundle, AuditExportFormat.Jsonl, new AuditFilter()));
    }

    private async Task<AuditExportResult> ExportAsync(string output, AuditExportFormat format, AuditFilter filter)
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(LogDir));
        await using (log)
        {
            return await AuditExporter.ExportAsync(log, new AuditExportRequest
            {
                Filter = filter,
                Format = format,
                OutputPath = output,
                Requestor = new AuditActiveParticipant { UserId = "officer", UserIsRequestor = true },
                Source = new AuditSource { SourceId = "test" },
            });
        }
    }

    private NoteVerifier TrustedKey() => NoteVerifier.Parse(File.ReadAllText(new AuditLogPaths(LogDir).PublicKey, Encoding.UTF8));
}
