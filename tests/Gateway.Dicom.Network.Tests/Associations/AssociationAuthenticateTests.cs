using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Pdus;
using Gateway.Dicom.Network.Tests.Support;

namespace Gateway.Dicom.Network.Tests.Associations;

/// <summary><see cref="AssociationAcceptancePolicy.Authenticate"/>: an asynchronous identity check before negotiation.</summary>
public sealed class AssociationAuthenticateTests
{
    private static AssociationAcceptancePolicy Policy(List<AssociationAuthorizationContext> authorized) => TestServer.DefaultPolicy with
    {
        Authenticate = async (identity, context, cancellationToken) =>
        {
            await Task.Yield();
            return identity.PrimaryField.Span.SequenceEqual("alice"u8) && identity.SecondaryField.Span.SequenceEqual("secret"u8)
                ? new AssociationIdentity("principal:alice", new byte[] { 0x4F, 0x4B })
                : null;
        },
        Authorize = context =>
        {
            lock (authorized)
            {
                authorized.Add(context);
            }

            return new AssociationAuthorization();
        },
    };

    [Fact]
    public async Task ValidIdentity_IsSeenByAuthorize_KeptOnTheAssociation_AndAnswered()
    {
        var authorized = new List<AssociationAuthorizationContext>();
        await using TestServer server = await TestServer.StartAsync(policy: Policy(authorized));

        AssociationRequest request = TestServer.Request(TestPdus.Verification) with
        {
            UserIdentity = new UserIdentityRequest(UserIdentityType.UsernameAndPasscode, true, "alice"u8.ToArray(), "secret"u8.ToArray()),
        };
        DicomAssociation association = await server.ConnectAsync(request);
        await association.ReleaseAsync();

        Assert.Equal("principal:alice", Assert.Single(authorized).Identity?.Principal);
        DicomAssociation accepted = Assert.Single(server.Established);
        Assert.Equal("principal:alice", accepted.Identity?.Principal);
    }

    [Fact]
    public async Task InvalidIdentity_RejectsPermanentlyBeforeAuthorize()
    {
        var authorized = new List<AssociationAuthorizationContext>();
        await using TestServer server = await TestServer.StartAsync(policy: Policy(authorized));

        AssociationRequest request = TestServer.Request(TestPdus.Verification) with
        {
            UserIdentity = new UserIdentityRequest(UserIdentityType.UsernameAndPasscode, false, "alice"u8.ToArray(), "guess"u8.ToArray()),
        };
        DicomAssociationRejectedException rejected = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => server.ConnectAsync(request));

        Assert.Equal(AssociateRejectPdu.NoReasonGiven(), rejected.Reject);
        Assert.Empty(authorized);
    }

    [Fact]
    public async Task NoIdentity_IsNotAuthenticated_AndAuthorizeSeesNone()
    {
        var authorized = new List<AssociationAuthorizationContext>();
        await using TestServer server = await TestServer.StartAsync(policy: Policy(authorized));

        DicomAssociation association = await server.ConnectAsync();
        await association.ReleaseAsync();

        Assert.Null(Assert.Single(authorized).Identity);
    }
}
