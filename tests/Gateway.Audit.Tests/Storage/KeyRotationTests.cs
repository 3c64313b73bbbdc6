using Gateway.Audit.Export;
using Gateway.Audit.Records;
using Gateway.Audit.Storage;
using Gateway.Audit.Tests.Support;
using Gateway.Audit.Verification;

namespace Gateway.Audit.Tests.Storage;

/// <summary>Rotating the record-encryption key: new records use the new key, older ones stay readable, verification is unaffected.</summary>
public sealed class KeyRotationTests : IDisposable
{
    private static readonly AuditActiveParticipant Officer = new() { UserId = "officer", UserIsRequestor = true };
    private static readonly AuditSource Source = new() { SourceId = "gateway-test" };
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private AuditLogPaths Paths => new(_dir.Path);

    [Fact]
    public async Task RotateDataKeyAsync_NewRecordsUseTheNewKey_OlderRecordsStayReadable()
    {
        uint oldKey;
        (uint KeyId, long RecordIndex) rotated;
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            oldKey = log.DataKeyIds.Single();
            for (int i = 0; i < 5; i++)
            {
                await log.AppendAsync(SampleRecords.Transfer(i));
            }

            rotated = await log.RotateDataKeyAsync(Officer, Source);
            for (int i = 5; i < 10; i++)
            {
                await log.AppendAsync(SampleRecords.Transfer(i));
            }

            Assert.Equal([oldKey, rotated.KeyId], log.DataKeyIds);
        }

        Assert.NotEqual(oldKey, rotated.KeyId);
        Assert.Equal(5, rotated.RecordIndex);
        uint[] keyIds = new AuditLogReader(Paths).ReadLeaves().Select(l => l.Leaf.KeyId).ToArray();
        Assert.Equal(Enumerable.Repeat(oldKey, 5).Concat(Enumerable.Repeat(rotated.KeyId, 6)), keyIds);

        using AuditDataKey ring = AuditDataKey.Load(Paths.DataKey, create: false);
        List<AuditSearchHit> all = AuditSearch.Search(_dir.Path, ring, new AuditFilter()).ToList();
        Assert.Equal(11, all.Count);
        AuditRecord rotation = all[5].Record;
        Assert.Equal(AuditEventId.SecurityAlert, rotation.EventId);
        Assert.Equal(AuditCodes.SecurityConfiguration, Assert.Single(rotation.EventTypeCodes));
        Assert.Contains(rotated.KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), rotation.ParticipantObjects[0].Description, StringComparison.Ordinal);

        // Patient hashes differ per key: a search by patient still finds the records of both keys.
        Assert.Equal(10, AuditSearch.Search(_dir.Path, ring, new AuditFilter { PatientId = "PID-0001" }).Count());

        Assert.True(Verify(null).IsValid);
        AuditVerificationReport deep = Verify(ring);
        Assert.True(deep.IsValid, string.Join("\n", deep.Problems));
    }

    [Fact]
    public async Task RotateDataKeyAsync_KeyFileKeepsEveryKey_OwnerOnly_AndTheOldFileAloneNamesTheMissingKey()
    {
        await TestLogs.CreateAsync(_dir.Path, 3);
        string before = await File.ReadAllTextAsync(Paths.DataKey);
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        uint newKey;
        await using (log)
        {
            newKey = (await log.RotateDataKeyAsync(Officer, Source)).KeyId;
        }

        string[] lines = (await File.ReadAllTextAsync(Paths.DataKey)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(before.Trim(), lines[0]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Paths.DataKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Paths.Keys));
        Assert.Empty(Directory.GetFiles(Paths.Keys, "*.tmp-*"));

        string oldOnly = _dir.Combine("old.key");
        await File.WriteAllTextAsync(oldOnly, before);
        File.SetUnixFileMode(oldOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using AuditDataKey old = AuditDataKey.Load(oldOnly, create: false);
        Assert.Equal(3, AuditSearch.Search(_dir.Path, old, new AuditFilter(), limit: 3).Count());
        AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditSearch.Search(_dir.Path, old, new AuditFilter()).ToList());
        Assert.Contains(newKey.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_AfterRotation_EncryptsWithTheNewestKey()
    {
        await TestLogs.CreateAsync(_dir.Path, 2);
        uint newest = AuditDataKey.Rotate(Paths.DataKey);

        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            await log.AppendAsync(SampleRecords.Transfer(2));
        }

        Assert.Equal(newest, new AuditLogReader(Paths).ReadLeaves().Last().Leaf.KeyId);
        Assert.True(Verify(null).IsValid);
    }

    [Fact]
    public async Task Export_AcrossARotation_VerifiesOffline()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        AuditExportResult exported;
        await using (log)
        {
            await log.AppendAsync(SampleRecords.Transfer(0));
            await log.RotateDataKeyAsync(Officer, Source);
            await log.AppendAsync(SampleRecords.Transfer(1));
            exported = await AuditExporter.ExportAsync(log, new AuditExportRequest
            {
                OutputPath = _dir.Combine("bundle"),
                Requestor = Officer,
                Source = Source,
            });
        }

        Assert.Equal(4, exported.RecordCount);
        AuditBundleReport report = AuditBundleVerifier.Verify(exported.OutputPath);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
    }

    [Fact]
    public async Task RotateDataKeyAsync_KeyGivenInMemory_IsRefused()
    {
        using AuditDataKey key = AuditDataKey.FromBytes(new byte[32]);
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path) with { DataKey = key });
        await using (log)
        {
            AuditLogException ex = await Assert.ThrowsAsync<AuditLogException>(() => log.RotateDataKeyAsync(Officer, Source));
            Assert.Contains("in memory", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RotateDataKeyAsync_KeyFileReplacedBehindTheLog_IsRefused()
    {
        AuditLog log = AuditLog.Open(TestLogs.Options(_dir.Path));
        await using (log)
        {
            await log.AppendAsync(SampleRecords.Transfer(0));
            File.Delete(Paths.DataKey);
            using (AuditDataKey.Load(Paths.DataKey, create: true))
            {
            }

            AuditLogException ex = await Assert.ThrowsAsync<AuditLogException>(() => log.RotateDataKeyAsync(Officer, Source));
            Assert.Contains("replaced, not rotated", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_MalformedRings_AreRefusedWithTheLine()
    {
        string path = _dir.Combine("ring.key");
        string good = "GATEWAY-AUDIT-DATA-KEY+v1+" + Convert.ToBase64String(new byte[32]);
        foreach ((string text, string expected) in new[]
        {
            (good + "\n" + good + "\n", "appears twice"),
            (good + "\nGATEWAY-AUDIT-DATA-KEY+v1+AAAA\n", "line 2"),
            (good + "\nsomething else\n", "line 2"),
            ("\n\n", "holds no key"),
            (string.Concat(Enumerable.Range(0, AuditDataKey.MaxKeys + 1).Select(i => "GATEWAY-AUDIT-DATA-KEY+v1+" + Convert.ToBase64String(BitConverter.GetBytes(i).Concat(new byte[28]).ToArray()) + "\n")), "more than"),
        })
        {
            File.WriteAllText(path, text);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            AuditLogException ex = Assert.Throws<AuditLogException>(() => AuditDataKey.Load(path, create: false));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
    }

    private AuditVerificationReport Verify(AuditDataKey? key) =>
        AuditLogVerifier.Verify(_dir.Path, new AuditLogReader(Paths).StoredVerifier(), new AuditVerifyOptions { DataKey = key });
}
