using System.Text.Json;
using Gateway.Policy.Loading;
using Gateway.Policy.Tests.Support;

namespace Gateway.Policy.Tests;

/// <summary>policies/schema/policy.schema.json and the loader agree on the keys of every section.</summary>
public sealed class PolicySchemaTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Policies.ShippedDirectory, "schema", "policy.schema.json"))).RootElement;

    public static TheoryData<string, string[]> Sections => new()
    {
        { "", PolicyDocumentReader.TopKeys },
        { "zones", PolicyDocumentReader.ZoneKeys },
        { "peers", PolicyDocumentReader.PeerKeys },
        { "peers.certificate", PolicyDocumentReader.CertificateKeys },
        { "services", PolicyDocumentReader.ServiceKeys },
        { "services.upstream", PolicyDocumentReader.UpstreamKeys },
        { "sop-class-sets", PolicyDocumentReader.SetKeys },
        { "flows", PolicyDocumentReader.FlowKeys },
        { "flows.time-windows", PolicyDocumentReader.WindowKeys },
        { "flows.rate-limit", PolicyDocumentReader.FlowRateKeys },
        { "roles", PolicyDocumentReader.RoleKeys },
        { "roles.grants", PolicyDocumentReader.GrantKeys },
        { "roles.grants.rate-limit", PolicyDocumentReader.GrantRateKeys },
        { "clients", PolicyDocumentReader.ClientKeys },
        { "users", PolicyDocumentReader.UserKeys },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void Schema_SectionKeys_AreTheKeysTheLoaderAccepts(string path, string[] keys)
    {
        JsonElement node = Schema;
        foreach (string part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = Unwrap(node.GetProperty("properties").GetProperty(part));
        }

        string[] schemaKeys = [.. node.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

        Assert.Equal(keys.Order(StringComparer.Ordinal), schemaKeys);
        Assert.False(node.GetProperty("additionalProperties").GetBoolean());
    }

    // Lists are described by their items.
    private static JsonElement Unwrap(JsonElement node) =>
        node.TryGetProperty("items", out JsonElement items) ? items : node;
}
