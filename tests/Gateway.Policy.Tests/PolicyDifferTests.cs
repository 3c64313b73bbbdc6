using Gateway.Policy.Analysis;
using Gateway.Policy.Model;
using Gateway.Policy.Tests.Support;

namespace Gateway.Policy.Tests;

/// <summary>diff: what a change grants, takes away or changes, in sentences.</summary>
public sealed class PolicyDifferTests
{
    private static readonly PolicyModel Old = Policies.Model(Policies.Site);

    [Fact]
    public void Compare_SamePolicy_NoChange()
    {
        IReadOnlyList<PolicyChange> changes = PolicyDiffer.Compare(Old, Policies.Model(Policies.Site));

        Assert.Empty(changes);
        Assert.Equal("policy diff: old -> new\nNo change: the two policies allow and require the same.\n", PolicyDiffer.ToText(changes, "old", "new"));
    }

    [Fact]
    public void Compare_ManyChanges_GoldenText()
    {
        string changed = Policies.Site
            .Replace("mode: enforce", string.Empty, StringComparison.Ordinal)
            .Replace("version: 1", "version: 1\nmode: observe", StringComparison.Ordinal)
            .Replace("addresses: [10.1.0.31, 10.1.0.32]", "addresses: [10.1.0.31, 10.1.0.33]", StringComparison.Ordinal)
            .Replace("sop-classes: [ct, sr]", "sop-classes: [ct, sr, presentation-states]", StringComparison.Ordinal)
            .Replace("max-object-size: 1 MiB\n    rate-limit: { associations-per-minute: 10, instances-per-minute: 100 }", "max-object-size: 512 KiB\n    rate-limit: { associations-per-minute: 20, instances-per-minute: 100 }", StringComparison.Ordinal)
            .Replace("operations: [find, move, get]", "operations: [find, move]", StringComparison.Ordinal)
            .Replace("{ days: [mon-fri], from: \"07:00\", to: \"19:00\" }", "{ days: [mon-sun], from: \"06:00\", to: \"22:00\" }", StringComparison.Ordinal)
            .Replace("    token-claim: true\n", string.Empty, StringComparison.Ordinal)
            .Replace("upstream: { ae-title: PACS, host: pacs.example.org, port: 2762, tls: true }", "upstream: { ae-title: PACS, host: pacs.example.org, port: 104, tls: false }", StringComparison.Ordinal)
            .Replace("      issuer: CN=Example CA\n", string.Empty, StringComparison.Ordinal)
            .Replace("    roles: [auditor, clinician]", "    roles: [auditor]", StringComparison.Ordinal)
            .Replace("  - id: audrey\n    roles: [auditor]", "  - id: audrey\n    roles: [auditor, clinician]", StringComparison.Ordinal)
            ;
        string added = """
            peers:
              - {name: mr, zone: devices, ae-titles: [MR01], addresses: [10.1.0.12]}
            flows:
              - {name: mr-store, from: mr, to: pacs, operations: [echo, store], sop-classes: [mr], max-object-size: 2 GiB}
            """;
        changed = changed.Replace("  - name: us-store\n    from: us\n    to: pacs\n    operations: [store]\n    sop-classes: [us]\n", string.Empty, StringComparison.Ordinal);

        IReadOnlyList<PolicyChange> changes = PolicyDiffer.Compare(Old, Policies.Model(changed, added));

        Golden.AssertMatches("diff.txt", PolicyDiffer.ToText(changes, "policies", "policies-new"));
    }

    [Theory]
    [InlineData("sop-classes: [ct, sr]", "sop-classes: [ct]", PolicyChangeKind.Revoke)]
    [InlineData("sop-classes: [ct, sr]", "sop-classes: [ct, sr, mr]", PolicyChangeKind.Grant)]
    [InlineData("operations: [echo, store]", "operations: [store]", PolicyChangeKind.Revoke)]
    [InlineData("addresses: [10.1.0.11]", "addresses: [10.1.0.11, 10.1.0.12]", PolicyChangeKind.Grant)]
    [InlineData("ae-titles: [CT01]", "ae-titles: [CT01, CT02]", PolicyChangeKind.Grant)]
    [InlineData("ae-titles: [US01, US01B]", "ae-titles: [US01]", PolicyChangeKind.Revoke)]
    [InlineData("max-object-size: 1 MiB\n    rate-limit", "max-object-size: 2 MiB\n    rate-limit", PolicyChangeKind.Grant)]
    [InlineData("associations-per-minute: 10", "associations-per-minute: 5", PolicyChangeKind.Revoke)]
    [InlineData("{ days: [mon-fri], from: \"07:00\", to: \"19:00\" }", "{ days: [mon-fri], from: \"08:00\", to: \"17:00\" }", PolicyChangeKind.Revoke)]
    [InlineData("      subject: CN=viewer.example.org, O=Example\n", "", PolicyChangeKind.Change)]
    [InlineData("    token-claim: true\n", "", PolicyChangeKind.Revoke)]
    [InlineData("move-destinations: [ws]", "move-destinations: [ws, ct]", PolicyChangeKind.Grant)]
    public void Compare_OneEdit_IsClassified(string before, string after, PolicyChangeKind kind)
    {
        Assert.Contains(before, Policies.Site, StringComparison.Ordinal);

        IReadOnlyList<PolicyChange> changes = PolicyDiffer.Compare(Old, Policies.Model(Policies.Site.Replace(before, after, StringComparison.Ordinal)));

        PolicyChange change = Assert.Single(changes);
        Assert.Equal(kind, change.Kind);
    }

    [Fact]
    public void Compare_SetMembersChange_SaysWhichFlowsUseTheSet()
    {
        const string Sets = "sop-class-sets:\n  - {name: cardio, members: [us]}\nflows:\n  - {name: cardio-store, from: us, to: pacs, operations: [store], sop-classes: [cardio]}\n";

        IReadOnlyList<PolicyChange> changes = PolicyDiffer.Compare(
            Policies.Model(Policies.Site, Sets),
            Policies.Model(Policies.Site, Sets.Replace("members: [us]", "members: [us, waveforms]", StringComparison.Ordinal)));

        PolicyChange change = Assert.Single(changes);
        Assert.Equal(PolicyChangeKind.Grant, change.Kind);
        Assert.StartsWith("SOP class set cardio now also allows SOP classes waveforms (", change.Text, StringComparison.Ordinal);
        Assert.EndsWith("(used by flow cardio-store).", change.Text, StringComparison.Ordinal);
    }
}
