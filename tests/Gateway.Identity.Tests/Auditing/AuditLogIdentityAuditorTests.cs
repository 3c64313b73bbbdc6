using Gateway.Audit;
using Gateway.Audit.Records;
using Gateway.Identity.Auditing;
using NSubstitute;

namespace Gateway.Identity.Tests.Auditing;

public sealed class AuditLogIdentityAuditorTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Login_IsUserAuthenticationWithLoginTypeRequestorAndAuthenticatingNode()
    {
        IAuditLog log = Substitute.For<IAuditLog>();
        var auditor = new AuditLogIdentityAuditor(log, new GatewayIdentityOptions { AuditSourceId = "gw-01" });

        await auditor.RecordAsync(new IdentityAuditEvent
        {
            Kind = IdentityAuditKind.Login,
            Method = IdentityMethod.AuthorizationCode,
            Succeeded = true,
            Subject = "alice.meyer",
            ClientId = "web-viewer",
            RemoteAddress = "10.10.17.5",
            Time = At,
        });

        AuditRecord record = (AuditRecord)log.ReceivedCalls().Single().GetArguments()[0]!;
        Assert.Equal(AuditEventId.UserAuthentication, record.EventId);
        Assert.Equal(AuditEventAction.Execute, record.Action);
        Assert.Equal(AuditEventOutcome.Success, record.Outcome);
        Assert.Equal([AuditCodes.Login], record.EventTypeCodes);
        Assert.Equal(At, record.EventTime);
        Assert.Collection(
            record.ActiveParticipants,
            user => Assert.Equal(("alice.meyer", true, "10.10.17.5", (NetworkAccessPointType?)NetworkAccessPointType.IpAddress), (user.UserId, user.UserIsRequestor, user.NetworkAccessPointId, user.NetworkAccessPointType)),
            client => Assert.Equal(("web-viewer", false, "client"), (client.UserId, client.UserIsRequestor, client.AlternativeUserId)),
            node => Assert.Equal(("gw-01", false), (node.UserId, node.UserIsRequestor)));
        Assert.Equal("gw-01", record.Source.SourceId);
    }

    [Fact]
    public void FailureAndLogout_CarryOutcomeReasonAndTypeCode()
    {
        var auditor = new AuditLogIdentityAuditor(Substitute.For<IAuditLog>(), new GatewayIdentityOptions());

        AuditRecord failed = auditor.ToRecord(new IdentityAuditEvent { Kind = IdentityAuditKind.Login, Method = IdentityMethod.ClientCredentials, Succeeded = false, Subject = "partner\u0007\nris", SubjectIsClient = true, FailureReason = "invalid_client", Time = At });
        AuditRecord logout = auditor.ToRecord(new IdentityAuditEvent { Kind = IdentityAuditKind.Logout, Method = IdentityMethod.EndSession, Succeeded = true, Subject = "alice.meyer", Time = At });

        Assert.Equal(AuditEventOutcome.MinorFailure, failed.Outcome);
        Assert.Equal("token endpoint (client credentials): invalid_client", failed.OutcomeDescription);
        Assert.Equal("partnerris", failed.ActiveParticipants[0].UserId);
        Assert.Equal(2, failed.ActiveParticipants.Count);
        Assert.Equal([AuditCodes.Logout], logout.EventTypeCodes);
    }

    [Fact]
    public async Task RealAuditLog_TakesTheRecord()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gw-identity-audit-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            long index;
            await using (AuditLog log = AuditLog.Open(new AuditLogOptions { Directory = dir, Origin = "test/identity/audit" }))
            {
                var auditor = new AuditLogIdentityAuditor(log, new GatewayIdentityOptions());
                index = await log.AppendAsync(auditor.ToRecord(new IdentityAuditEvent { Kind = IdentityAuditKind.Login, Method = IdentityMethod.DimsePasscode, Succeeded = false, Subject = "tech.one", FailureReason = "locked-out", CallingAE = "CT01", Time = At }));
            }

            Assert.Equal(0, index);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
