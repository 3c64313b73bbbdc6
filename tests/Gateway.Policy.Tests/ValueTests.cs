using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy.Tests;

/// <summary>Scalar values of the language: addresses, AE titles, sizes, times, days, certificates, SOP class groups.</summary>
public sealed class ValueTests
{
    [Theory]
    [InlineData("10.1.0.11", "10.1.0.11", true)]
    [InlineData("10.1.0.0/24", "10.1.0.0/24", true)]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", true)]
    [InlineData("fd00::/64", "fd00::/64", true)]
    [InlineData("FD00::5", "fd00::5", true)]
    [InlineData("10.1.0.5/24", null, false)]
    [InlineData("10.1", null, false)]
    [InlineData("010.1.0.1", null, false)]
    [InlineData("10.1.0.1/33", null, false)]
    [InlineData("10.1.0.1/-1", null, false)]
    [InlineData("fe80::1%eth0", null, false)]
    [InlineData("host.example.org", null, false)]
    public void IpNetwork_TryParse_AcceptsAddressesAndCidrsOnly(string text, string? formatted, bool valid)
    {
        bool parsed = IpNetwork.TryParse(text, out IpNetwork network, out string? error);

        Assert.Equal(valid, parsed);
        Assert.Equal(valid, error is null);
        if (valid)
        {
            Assert.Equal(formatted, network.ToString());
        }
    }

    [Theory]
    [InlineData("10.1.0.0/24", "10.1.0.255", true)]
    [InlineData("10.1.0.0/24", "10.1.1.0", false)]
    [InlineData("10.1.0.0/24", "::ffff:10.1.0.7", true)]
    [InlineData("10.1.0.7", "10.1.0.7", true)]
    [InlineData("0.0.0.0/0", "192.0.2.1", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    public void IpNetwork_Contains(string network, string address, bool expected)
    {
        Assert.Equal(expected, IpNetwork.Parse(network).Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void IpNetwork_OverlapsAndCovers()
    {
        IpNetwork wide = IpNetwork.Parse("10.0.0.0/8");
        IpNetwork narrow = IpNetwork.Parse("10.1.0.0/24");
        IpNetwork other = IpNetwork.Parse("192.168.0.0/16");

        Assert.True(wide.Overlaps(narrow) && narrow.Overlaps(wide));
        Assert.True(wide.Covers(narrow));
        Assert.False(narrow.Covers(wide));
        Assert.False(wide.Overlaps(other));
    }

    [Theory]
    [InlineData("CT01", "CT01", true)]
    [InlineData("  CT01  ", "CT01", true)]
    [InlineData("MY AE", "MY AE", true)]
    [InlineData("ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP", true)]
    [InlineData("ABCDEFGHIJKLMNOPQ", null, false)]
    [InlineData("   ", null, false)]
    [InlineData("A\\B", null, false)]
    [InlineData("A\tB", null, false)]
    [InlineData("CT\u00e9", null, false)]
    public void TryParseAETitle_FollowsPs35(string value, string? title, bool valid)
    {
        Assert.Equal(valid, PolicyValues.TryParseAETitle(value, out string parsed, out _));
        if (valid)
        {
            Assert.Equal(title, parsed);
        }
    }

    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("512 MiB", 512L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("2 GB", 2_000_000_000L)]
    [InlineData("1 kib", 1024L)]
    [InlineData("10 XB", null)]
    [InlineData("-1", null)]
    [InlineData("1.5 GiB", null)]
    [InlineData("99999999999 TiB", null)]
    public void TryParseSize(string text, long? bytes)
    {
        Assert.Equal(bytes is not null, PolicyValues.TryParseSize(text, out long parsed));
        if (bytes is not null)
        {
            Assert.Equal(bytes, parsed);
        }
    }

    [Theory]
    [InlineData("mon", 0b0000010)]
    [InlineData("mon-fri", 0b0111110)]
    [InlineData("fri-mon", 0b1100011)]
    [InlineData("mon-sun", 0b1111111)]
    [InlineData("Sun", 0b0000001)]
    [InlineData("monday", null)]
    [InlineData("mon-xyz", null)]
    public void TryParseDays(string text, int? mask)
    {
        Assert.Equal(mask is not null, PolicyValues.TryParseDays(text, out byte days));
        if (mask is not null)
        {
            Assert.Equal(mask, days);
        }
    }

    [Theory]
    [InlineData("07:00", true)]
    [InlineData("24:00", true)]
    [InlineData("7:00", false)]
    [InlineData("24:01", false)]
    [InlineData("12:60", false)]
    public void TryParseTime(string text, bool valid)
    {
        Assert.Equal(valid, PolicyValues.TryParseTime(text, out _));
    }

    [Fact]
    public void TimeWindow_ToMidnight_CoversTheEveningOnly()
    {
        Assert.True(PolicyValues.TryParseTime("24:00", out TimeOnly end));
        var window = new TimeWindow(TimeWindow.AllDays, new TimeOnly(18, 0), end);

        Assert.True(window.Contains(new DateTime(2025, 3, 4, 23, 59, 0)));
        Assert.False(window.Contains(new DateTime(2025, 3, 4, 0, 30, 0)));
        Assert.False(window.Contains(new DateTime(2025, 3, 4, 17, 59, 0)));
    }

    [Fact]
    public void PolicyCertificate_FromARealCertificate_ReadsSubjectIssuerSansAndThumbprint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pacs.example.org, O=Example Hospital, C=DE", key, HashAlgorithmName.SHA256);
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName("pacs.example.org");
        sans.AddIpAddress(IPAddress.Parse("10.2.0.5"));
        request.CertificateExtensions.Add(sans.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        PolicyCertificate facts = PolicyCertificate.FromCertificate(certificate);

        Assert.Equal("CN=pacs.example.org, O=Example Hospital, C=DE", facts.Subject);
        Assert.Equal(facts.Subject, facts.Issuer);
        Assert.Equal(["DNS:pacs.example.org", "IP:10.2.0.5"], facts.SubjectAlternativeNames);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(certificate.RawData)), facts.Sha256Thumbprint);
        Assert.Equal(PolicyCertificate.NormalizeDistinguishedName("CN=pacs.example.org,O=Example Hospital,C=DE"), facts.Subject);
    }

    [Theory]
    [InlineData("CN=a, O=b, C=DE")]
    [InlineData("C=DE, O=b, CN=a")]
    [InlineData("CN=a")]
    public void NormalizeDistinguishedName_IsIdempotent(string dn)
    {
        string once = PolicyCertificate.NormalizeDistinguishedName(dn);

        Assert.Equal(once, PolicyCertificate.NormalizeDistinguishedName(once));
        Assert.Equal(dn, once);
    }

    [Theory]
    [InlineData("pacs.example.org", "DNS:pacs.example.org")]
    [InlineData("DNS:PACS.Example.org", "DNS:pacs.example.org")]
    [InlineData("IP:10.2.0.5", "IP:10.2.0.5")]
    [InlineData("10.2.0.5", "IP:10.2.0.5")]
    [InlineData("not a name", null)]
    public void NormalizeSubjectAlternativeName(string value, string? expected)
    {
        Assert.Equal(expected, PolicyCertificate.NormalizeSubjectAlternativeName(value));
    }

    [Fact]
    public void SopClassCatalog_GroupsHoldWhatTheirNamesSay()
    {
        static IReadOnlySet<string> G(string name) => SopClassCatalog.TryGetGroup(name, out IReadOnlySet<string> set) ? set : throw new KeyNotFoundException(name);

        Assert.Contains("1.2.840.10008.5.1.4.1.1.2", G("ct"));       // CT Image
        Assert.Contains("1.2.840.10008.5.1.4.1.1.2.1", G("ct"));     // Enhanced CT
        Assert.DoesNotContain("1.2.840.10008.5.1.4.1.1.4", G("ct")); // MR Image
        Assert.Contains("1.2.840.10008.5.1.4.1.1.4.1", G("mr"));     // Enhanced MR
        Assert.Contains("1.2.840.10008.5.1.4.1.1.6", G("us"));       // US Image (Retired)
        Assert.Contains("1.2.840.10008.5.1.4.1.1.3.1", G("us"));     // US Multi-frame
        Assert.Contains("1.2.840.10008.5.1.4.1.1.88.59", G("sr"));   // Key Object Selection
        Assert.Contains("1.2.840.10008.5.1.4.1.1.88.67", G("sr"));   // X-Ray Radiation Dose SR
        Assert.Contains("1.2.840.10008.5.1.4.1.1.11.1", G("presentation-states"));
        Assert.DoesNotContain("1.2.840.10008.5.1.4.1.1.11.1", G("all-image-storage"));
        Assert.DoesNotContain("1.2.840.10008.5.1.4.1.1.88.11", G("all-image-storage"));
        Assert.Contains("1.2.840.10008.5.1.4.1.1.7", G("all-image-storage")); // Secondary Capture
        Assert.True(G("all-storage").IsSupersetOf(G("all-image-storage")));
        Assert.True(G("all-storage").IsSupersetOf(G("sr")));
        Assert.DoesNotContain("1.2.840.10008.5.1.4.1.2.2.1", G("all-storage")); // Q/R model
        Assert.Contains("1.2.840.10008.5.1.4.1.2.2.1", SopClassCatalog.FindModels);
        Assert.Contains("1.2.840.10008.5.1.4.31", SopClassCatalog.WorklistModels);
        Assert.All(SopClassCatalog.Groups, g => Assert.NotEmpty(G(g.Name)));
    }
}
