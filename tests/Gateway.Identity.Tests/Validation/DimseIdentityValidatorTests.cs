using System.Text;
using Gateway.Dicom.Network.Pdus;
using Gateway.Identity.Auditing;
using Gateway.Identity.Tests.Support;
using Gateway.Identity.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Identity.Tests.Validation;

public sealed class DimseIdentityValidatorTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private static readonly DimseIdentityContext Association = new("10.120.0.11", "CT01", "assoc-42");
    private IdentityTestHost _host = null!;
    private DimseIdentityValidator _validator = null!;

    public async Task InitializeAsync()
    {
        _host = await IdentityTestHost.StartAsync();
        _validator = _host.App.Services.GetRequiredService<DimseIdentityValidator>();
        await _host.AddUserAsync("tech.one", Password, "clinician");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Jwt_FromTheLocalServer_IdentifiesTheClientAndIsAudited()
    {
        string secret = await _host.AddServiceClientAsync("ai-triage", "ai-service");
        using HttpClient http = _host.CreateClient();
        string token = await _host.ClientTokenAsync(http, "ai-triage", secret);

        IdentityResult result = await _validator.ValidateAsync(UserIdentityType.Jwt, Encoding.UTF8.GetBytes(token), ReadOnlyMemory<byte>.Empty, Association);

        Assert.True(result.Succeeded, result.Failure.ToString());
        Assert.Equal(("ai-triage", true, "ai-service"), (result.Subject, result.IsClient, result.Roles.Single()));
        IdentityAuditEvent audit = _host.Auditor.Events[^1];
        Assert.Equal((IdentityMethod.DimseJwt, true, "ai-triage", "CT01", "assoc-42", "10.120.0.11"), (audit.Method, audit.Succeeded, audit.Subject, audit.CallingAE, audit.AssociationId, audit.RemoteAddress));
    }

    [Fact]
    public async Task UsernameAndPasscode_LocalAccount_IdentifiesTheUser()
    {
        IdentityResult result = await _validator.ValidateAsync(new UserIdentityRequest(UserIdentityType.UsernameAndPasscode, true, Encoding.UTF8.GetBytes("tech.one"), Encoding.UTF8.GetBytes(Password)), Association);

        Assert.True(result.Succeeded);
        Assert.Equal(("tech.one", false, "clinician"), (result.Subject, result.IsClient, result.Roles.Single()));
    }

    [Fact]
    public async Task UsernameAndPasscode_ClientIdAndSecret_IdentifiesTheClient()
    {
        string secret = await _host.AddServiceClientAsync("modality-ws", "ai-service");

        IdentityResult right = await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, Encoding.UTF8.GetBytes("modality-ws"), Encoding.UTF8.GetBytes(secret), Association);
        IdentityResult wrong = await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, Encoding.UTF8.GetBytes("modality-ws"), Encoding.UTF8.GetBytes("not-the-secret"), Association);

        Assert.True(right.Succeeded);
        Assert.Equal(("modality-ws", "modality-ws", true), (right.Subject, right.ClientId, right.IsClient));
        Assert.Equal(IdentityFailure.InvalidCredentials, wrong.Failure);
    }

    [Fact]
    public async Task UsernameAndPasscode_WrongAndLockout_AreRefusedAndAuditedWithoutThePasscode()
    {
        for (int i = 0; i < _host.Options.LockoutThreshold - 1; i++)
        {
            IdentityResult wrong = await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, Encoding.UTF8.GetBytes("tech.one"), Encoding.UTF8.GetBytes("wrong-passcode-canary"), Association);
            Assert.Equal(IdentityFailure.InvalidCredentials, wrong.Failure);
        }

        IdentityResult locking = await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, Encoding.UTF8.GetBytes("tech.one"), Encoding.UTF8.GetBytes("wrong-passcode-canary"), Association);
        IdentityResult locked = await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, Encoding.UTF8.GetBytes("tech.one"), Encoding.UTF8.GetBytes(Password), Association);

        Assert.Equal(IdentityFailure.LockedOut, locking.Failure);
        Assert.Equal(IdentityFailure.LockedOut, locked.Failure);
        Assert.All(_host.Auditor.Events, e => Assert.False(e.Succeeded));
        Assert.All(_host.Auditor.Events, e => Assert.Equal("tech.one", e.Subject));
        Assert.All(_host.Auditor.Events, e => Assert.DoesNotContain("canary", e.ToString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(UserIdentityType.Username, "tech.one")]
    [InlineData(UserIdentityType.Kerberos, "ticket-bytes")]
    [InlineData(UserIdentityType.Saml, "<saml:Assertion>secret-assertion</saml:Assertion>")]
    public async Task UnverifiableIdentityTypes_AreRefusedAndNeverAuditTheCredential(UserIdentityType type, string primary)
    {
        IdentityResult result = await _validator.ValidateAsync(type, Encoding.UTF8.GetBytes(primary), ReadOnlyMemory<byte>.Empty, Association);

        Assert.Equal(IdentityFailure.UnsupportedIdentityType, result.Failure);
        IdentityAuditEvent audit = Assert.Single(_host.Auditor.Events);
        Assert.Equal(type == UserIdentityType.Username ? "tech.one" : "(none)", audit.Subject);
    }

    [Fact]
    public async Task MalformedOrOversizedFields_AreRefused()
    {
        byte[] invalidUtf8 = [0x74, 0xC3, 0x28, 0x6F];

        Assert.Equal(IdentityFailure.Malformed, (await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, invalidUtf8, Encoding.UTF8.GetBytes(Password))).Failure);
        Assert.Equal(IdentityFailure.Malformed, (await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, Encoding.UTF8.GetBytes("tech.one"), ReadOnlyMemory<byte>.Empty)).Failure);
        Assert.Equal(IdentityFailure.TooLarge, (await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, new byte[257], Encoding.UTF8.GetBytes(Password))).Failure);
        Assert.Equal(IdentityFailure.TooLarge, (await _validator.ValidateAsync(UserIdentityType.Jwt, new byte[GatewayTokenValidator.MaxTokenLength + 1], ReadOnlyMemory<byte>.Empty)).Failure);
        Assert.Equal(IdentityFailure.Malformed, (await _validator.ValidateAsync(UserIdentityType.Jwt, invalidUtf8, ReadOnlyMemory<byte>.Empty)).Failure);
        Assert.Equal(IdentityFailure.Malformed, (await _validator.ValidateAsync(UserIdentityType.Jwt, Encoding.UTF8.GetBytes("x.y"), ReadOnlyMemory<byte>.Empty)).Failure);
    }

    [Fact]
    public async Task Success_WhenTheAuditLogRefuses_IsNotAccepted()
    {
        _host.Auditor.Fail = true;

        await Assert.ThrowsAsync<Gateway.Audit.AuditLogException>(async () =>
            await _validator.ValidateAsync(UserIdentityType.UsernameAndPasscode, Encoding.UTF8.GetBytes("tech.one"), Encoding.UTF8.GetBytes(Password), Association));
    }
}
