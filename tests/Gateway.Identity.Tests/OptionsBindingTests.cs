using Gateway.Identity.Validation;
using Microsoft.Extensions.Configuration;

namespace Gateway.Identity.Tests;

public sealed class OptionsBindingTests
{
    [Fact]
    public void Configuration_SectionAsTheHostWouldWriteIt_BindsEverySetting()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:Issuer"] = "https://gateway.hospital.example:8443/",
            ["Identity:Audience"] = "gw",
            ["Identity:AccessTokenLifetime"] = "00:05:00",
            ["Identity:LockoutThreshold"] = "4",
            ["Identity:PasswordHashing:MemoryKiB"] = "65536",
            ["Identity:PasswordHashing:Iterations"] = "3",
            ["Identity:PasswordHashing:Parallelism"] = "2",
            ["Identity:ExternalIssuers:0:Issuer"] = "https://sso.hospital.example/realms/imaging",
            ["Identity:ExternalIssuers:0:Audiences:0"] = "dicom-gateway",
            ["Identity:ExternalIssuers:0:RoleClaim"] = "realm_access.roles",
            ["Identity:ExternalIssuers:0:RoleMap:radiologist"] = "clinician",
        }).Build();

        GatewayIdentityOptions options = configuration.GetSection("Identity").Get<GatewayIdentityOptions>()!;

        Assert.Equal(new Uri("https://gateway.hospital.example:8443/"), options.Issuer);
        Assert.Equal("gw", options.Audience);
        Assert.Equal(TimeSpan.FromMinutes(5), options.AccessTokenLifetime);
        Assert.Equal(4, options.LockoutThreshold);
        Assert.Equal(new Gateway.Identity.Passwords.Argon2idParameters(65536, 3, 2), options.PasswordHashing);
        ExternalIssuerOptions external = Assert.Single(options.ExternalIssuers);
        Assert.Equal("https://sso.hospital.example/realms/imaging", external.Issuer);
        Assert.Equal(["dicom-gateway"], external.Audiences);
        Assert.Equal("clinician", external.RoleMap["radiologist"]);
        Assert.Empty(options.Validate());
    }
}
