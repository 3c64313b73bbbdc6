using System.Text;
using Gateway.Policy.Loading;
using Gateway.Policy.Tests.Support;

namespace Gateway.Policy.Tests;

/// <summary>Loading: every error at once with file, line and column; nothing applied when anything is wrong; hostile YAML refused.</summary>
public sealed class PolicyLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policy-loader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_ErrorsInSeveralFiles_ReportsEveryOneWithFileLineAndColumn()
    {
        PolicyLoadResult result = Policies.Load(
            """
            version: 1
            peers:
              - name: ct
                zone: nowhere
                ae-titles: [CT01]
                addresses: [10.1.0.300]
            """,
            """
            flows:
              - name: f
                from: ct
                to: pacs
                operations: [store, fnd]
            """);

        Assert.False(result.Succeeded);
        Assert.Null(result.Model);
        string[] lines = [.. result.Diagnostics.Select(d => d.ToString())];
        Assert.Contains("a.yaml:6:17: error invalid-address: peer 'ct': '10.1.0.300' is not an IPv4 or IPv6 address or CIDR", lines);
        Assert.Contains("a.yaml:3:5: error unknown-name: peer 'ct': zone 'nowhere' is not defined", lines);
        Assert.Contains("b.yaml:5:25: error invalid-value: flow 'f': unknown operation 'fnd'; did you mean 'find'?", lines);
        Assert.Contains("b.yaml:2:5: error unknown-name: flow 'f': 'to' names 'pacs', which is not a service", lines);
        Assert.Contains("b.yaml:2:5: error missing-key: flow 'f': store, move and get need 'sop-classes' (name groups such as ct or sr; write all-storage only if you mean every storage class)", lines);
        Assert.Equal(5, result.Diagnostics.Count);
    }

    public static TheoryData<string, string, string> InvalidPolicies => new()
    {
        { "unknown top-level key", "flow: []", "a.yaml:1:1: error unknown-key: policy file: unknown key 'flow'; did you mean 'flows'?" },
        { "unknown key in a peer", Peer("  aetitles: [CT01]"), "error unknown-key: peer: unknown key 'aetitles'; did you mean 'ae-titles'?" },
        { "bad version", "version: 2", "a.yaml:1:10: error invalid-value: version '2' is not supported; this gateway reads version 1" },
        { "bad mode", "mode: audit", "error invalid-value: mode must be 'enforce' or 'observe', not 'audit'" },
        { "bad time zone", "timezone: Mars/Olympus", "error invalid-value: timezone 'Mars/Olympus' is not a time zone this host knows" },
        { "name with capitals", Zone("Devices"), "error invalid-name: zone name 'Devices' must be 1-64 characters" },
        { "zone kind", "zones:\n  - name: z\n    kind: dmz\n    networks: [10.0.0.0/8]", "error invalid-value: zone 'z': kind must be 'device' or 'clinical', not 'dmz'" },
        { "host bits set", "zones:\n  - name: z\n    kind: device\n    networks: [10.1.0.5/24]", "'10.1.0.5/24' has host bits set; the network is 10.1.0.0/24" },
        { "AE title too long", Peer("  ae-titles: [ABCDEFGHIJKLMNOPQ]"), "error invalid-ae-title: peer 'p': AE title 'ABCDEFGHIJKLMNOPQ' is 17 characters; the limit is 16" },
        { "AE title with backslash", Peer("  ae-titles: ['CT\\01']"), "holds a character AE titles may not ('\\')" },
        { "missing addresses", Zone("z") + "\npeers:\n  - name: p\n    zone: z\n    ae-titles: [P]", "error missing-key: peer: 'addresses' is required" },
        { "address outside zone", Zone("z") + "\npeers:\n  - name: p\n    zone: z\n    ae-titles: [P]\n    addresses: [10.2.0.1]", "error address-outside-zone: peer 'p': address 10.2.0.1 is not inside zone 'z' (10.1.0.0/24)" },
        { "duplicate peer", Zone("z") + "\npeers:\n  - {name: p, zone: z, ae-titles: [P], addresses: [10.1.0.1]}\n  - {name: p, zone: z, ae-titles: [Q], addresses: [10.1.0.2]}", "error duplicate-name: peer 'p' is defined twice (first at a.yaml:6:5)" },
        { "duplicate key", "zones:\n  - name: z\n    name: y\n    kind: device\n    networks: [10.0.0.0/8]", "a.yaml:3:5: error duplicate-key: 'name' is given twice in this mapping (first at line 2)" },
        { "peer named like a zone", Zone("z") + "\npeers:\n  - {name: z, zone: z, ae-titles: [P], addresses: [10.1.0.1]}", "error duplicate-name: peer 'z' has the name of a zone" },
        { "bad certificate thumbprint", Peer("  ae-titles: [P]\n    certificate: {sha256: abc}"), "sha256 thumbprint must be 64 hex digits (colons allowed), not 'abc'" },
        { "empty certificate", Peer("  ae-titles: [P]\n    certificate: {}"), "a certificate binding needs at least one of subject, issuer, san, sha256" },
        { "bad DN", Peer("  ae-titles: [P]\n    certificate: {subject: 'not a dn'}"), "certificate subject 'not a dn' is not a distinguished name" },
        { "DIMSE service without AE title", "services:\n  - name: s\n    kind: pacs", "error missing-key: service: 'ae-title' is required" },
        { "duplicate service AE", "services:\n  - {name: s, kind: pacs, ae-title: GW}\n  - {name: t, kind: worklist, ae-title: GW}", "error duplicate-name: service AE title 'GW' is defined twice" },
        { "upstream port", "services:\n  - name: s\n    kind: pacs\n    ae-title: GW\n    upstream: {ae-title: P, host: h, port: 70000, tls: true}", "'port' must be a whole number from 1 to 65535, not '70000'" },
        { "upstream tls not boolean", "services:\n  - name: s\n    kind: pacs\n    ae-title: GW\n    upstream: {ae-title: P, host: h, port: 104, tls: yes}", "'tls' must be true or false, not 'yes'" },
        { "unknown SOP class group", Flow("sop-classes: [cat]"), "'cat' is not a SOP class group, set, keyword or UID; did you mean 'ct'?" },
        { "transfer syntax as SOP class", Flow("sop-classes: [1.2.840.10008.1.2.1]"), "'1.2.840.10008.1.2.1' is a registered UID but not a SOP class (ExplicitVRLittleEndian, TransferSyntax)" },
        { "move without destinations", Flow("sop-classes: [ct]", "move"), "move needs 'move-destinations'" },
        { "destinations without move", Flow("sop-classes: [ct]\n    move-destinations: [p]"), "'move-destinations' is set but the flow does not allow move" },
        { "DICOMweb operation in a flow", Flow("sop-classes: [ct]", "qido"), "'qido' is not a DIMSE operation" },
        { "bad time", Flow("sop-classes: [ct]\n    time-windows: [{from: '7:00', to: '19:00'}]"), "'from' must be a time HH:MM (00:00 to 24:00), not '7:00'" },
        { "bad day", Flow("sop-classes: [ct]\n    time-windows: [{days: [someday], from: '07:00', to: '19:00'}]"), "'someday' is not a day or range of days" },
        { "bad size", Flow("sop-classes: [ct]\n    max-object-size: 2 GB-ish"), "max-object-size '2 GB-ish' must be a positive size" },
        { "zero rate", Flow("sop-classes: [ct]\n    rate-limit: {associations-per-minute: 0}"), "'associations-per-minute' must be a whole number from 1 to 1000000, not '0'" },
        { "set including itself", "sop-class-sets:\n  - {name: a, members: [b]}\n  - {name: b, members: [a]}", "includes itself" },
        { "set named like a group", "sop-class-sets:\n  - {name: ct, members: [mr]}", "SOP class set 'ct' has the name of a built-in group" },
        { "grant on a DIMSE service", "services:\n  - {name: s, kind: pacs, ae-title: GW}\nroles:\n  - name: r\n    grants:\n      - {services: [s], operations: [qido]}", "roles grant DICOMweb and admin services; 's' is a DIMSE service" },
        { "admin operation on DICOMweb", "services:\n  - {name: w, kind: dicomweb}\nroles:\n  - name: r\n    grants:\n      - {services: [w], operations: [audit-read]}", "'audit-read' is not an operation of dicomweb service 'w'" },
        { "client with unknown role", "clients:\n  - {name: c, client-id: c, roles: [boss]}", "client 'c': role 'boss' is not defined" },
        { "user with unknown role", "users:\n  - {id: u, roles: [boss]}", "user 'u': role 'boss' is not defined" },
        { "mode twice", "mode: enforce\n---\n", "a policy file holds one YAML document" },
        { "list where a mapping is expected", "zones: [a, b]", "each item of 'zones' must be a mapping (key: value lines), not 'a'" },
        { "scalar root", "just text", "a policy file is a mapping of sections" },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void Load_InvalidPolicy_ReportsTheErrorAndAppliesNothing(string scenario, string yaml, string expected)
    {
        PolicyLoadResult result = Policies.Load(yaml);

        Assert.Null(result.Model);
        Assert.True(result.Diagnostics.Any(d => d.IsError && d.ToString().Contains(expected, StringComparison.Ordinal)), $"{scenario}:\n{string.Join("\n", result.Diagnostics)}");
    }

    [Fact]
    public void Load_ModeInTwoFiles_IsAnError()
    {
        PolicyLoadResult result = Policies.Load("mode: enforce", "mode: observe");

        Assert.Contains(result.Diagnostics, d => d.ToString() == "b.yaml:1:7: error duplicate-setting: mode is already set at a.yaml:1:7; set it in one file only");
    }

    public static TheoryData<string, string, string> HostileYaml => new()
    {
        {
            "billion laughs",
            "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
            "a.yaml:1:4: error yaml-anchor: anchors (&name) are not allowed in policy files"
        },
        { "alias only", "zones: *x\n", "error yaml-" },
        { "merge key", "base: &b {kind: device}\nzones:\n  - <<: *b\n", "error yaml-anchor" },
        { "deep nesting", new string('[', 5000) + new string(']', 5000), "error limit-depth: nesting deeper than 16 levels" },
        { "huge scalar", "zones: \"" + new string('x', 100_000) + "\"", "error limit-scalar: a value of 100000 characters; the limit is 4096" },
        { "python tag", "zones: !!python/object:os.system [rm]", "error yaml-tag: tags (tag:yaml.org,2002:python/object:os.system) are not allowed" },
        { "truncated flow sequence", "zones: [ {name: z, kind: device", "error yaml-syntax" },
        { "tab indentation", "zones:\n\t- name: z", "error yaml-syntax" },
        { "unterminated quote", "mode: \"enforce", "error yaml-syntax" },
        { "complex key", "? [a, b]\n: c", "error yaml-complex-key" },
        // Found by fuzz/ (the policy target): YamlDotNet's scanner threw InvalidOperationException, which escaped the loader.
        { "fuzz: empty key before an unclosed flow sequence", ": [\ns", "error yaml-syntax: malformed YAML the parser cannot read" },
        // Found by fuzz/ (AFL++ on the policy target, 2026-11-29): YamlDotNet threw ArgumentException for a tag that is not a URI.
        { "fuzz: global tag that is not a URI", "!!C,[+N", "error yaml-tag: tags are not allowed in policy files (and this one" },
        { "fuzz: global tag that is not a URI, inside a mapping", "mode: !!a b\nflows: []", "error yaml-tag" },
        // Found by fuzz/ (AFL++, 2026-11-29): a time zone id naming a directory made the lookup throw SecurityException.
        { "fuzz: time zone id naming a directory", "timezone: Europe/", "error invalid-value: timezone 'Europe/' is not an IANA time zone id" },
        { "fuzz: time zone id that is a directory", "timezone: Europe", "error invalid-value: timezone 'Europe' is not a time zone this host knows" },
        { "time zone id climbing out of zoneinfo", "timezone: ../../../etc/passwd", "error invalid-value: timezone '../../../etc/passwd' is not an IANA time zone id" },
        { "time zone id that is an absolute path", "timezone: /etc/localtime", "error invalid-value" },
        // Found by fuzz/ (policy, an hour of AFL++): YamlDotNet 18.1.0's scanner spends 15-18 s on these 1 KiB files and
        // then reports nothing wrong. No directive reaches it now.
        { "fuzz: directive with a long name in a file of exactly 1 KiB", "%Y" + new string('o', 1018) + "   a", "a.yaml:1:1: error yaml-directive" },
        { "fuzz: three directives in a file of exactly 1 KiB", "%Y\n%Y\n%Y" + new string('o', 1010) + "   ae-", "a.yaml:1:1: error yaml-directive" },
        { "YAML directive", "%YAML 1.2\n---\nversion: 1\n", "error yaml-directive: directives (%YAML, %TAG) are not allowed in policy files" },
        { "TAG directive after a comment", "# site policy\n\n%TAG ! tag:example.org,2000:\n---\nversion: 1\n", "a.yaml:3:1: error yaml-directive" },
    };

    [Fact]
    public void Load_PercentSignInsideTheDocument_IsNoDirective()
    {
        // Only a '%' opening a line before the document's content is a directive; in a comment it is text, and a line
        // opening with it later is YAML's own syntax error (reserved indicator), not a directive.
        PolicyLoadResult fine = Policies.Load("version: 1\nmode: observe\n# 100%\n");
        PolicyLoadResult broken = Policies.Load("version: 1\n%mode: observe\n");

        Assert.NotNull(fine.Model);
        Assert.DoesNotContain(broken.Diagnostics, d => d.Code == "yaml-directive");
        Assert.Contains(broken.Diagnostics, d => d.Code == "yaml-syntax");
    }

    [Theory]
    [MemberData(nameof(HostileYaml))]
    public async Task Load_HostileOrBrokenYaml_IsRefusedWithAClearErrorInBoundedTime(string scenario, string yaml, string expected)
    {
        // Guards against a hang (not a speed measurement): the loader must refuse these at once.
        PolicyLoadResult result = await Task.Run(() => Policies.Load(yaml)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(result.Model);
        Assert.True(result.Diagnostics.Any(d => d.ToString().Contains(expected, StringComparison.Ordinal)), $"{scenario}:\n{string.Join("\n", result.Diagnostics)}");
    }

    [Fact]
    public void Load_ManyNodes_StopsAtTheLimit()
    {
        var limits = PolicyLoadLimits.Default with { MaxNodesPerFile = 1000 };
        string yaml = "zones: [" + string.Join(", ", Enumerable.Repeat("x", 2000)) + "]";

        PolicyLoadResult result = PolicyLoader.Load([new PolicySource("a.yaml", yaml)], limits);

        Assert.Contains(result.Diagnostics, d => d.Code == "limit-nodes");
    }

    [Fact]
    public void LoadDirectory_FileOverTheSizeLimit_IsRefusedWithoutParsing()
    {
        File.WriteAllText(Path.Combine(_dir, "big.yaml"), "# " + new string('x', 5000));
        File.WriteAllText(Path.Combine(_dir, "ok.yaml"), "version: 1\n");

        PolicyLoadResult result = PolicyLoader.LoadDirectory(_dir, PolicyLoadLimits.Default with { MaxFileBytes = 4096 });

        Assert.Null(result.Model);
        PolicyDiagnostic error = Assert.Single(result.Diagnostics);
        Assert.Equal(("limit-file-size", Path.Combine(_dir, "big.yaml")), (error.Code, error.Location!.Value.File));
    }

    [Fact]
    public void LoadDirectory_TooManyFiles_IsRefused()
    {
        for (int i = 0; i < 5; i++)
        {
            File.WriteAllText(Path.Combine(_dir, $"f{i}.yaml"), "version: 1\n");
        }

        PolicyLoadResult result = PolicyLoader.LoadDirectory(_dir, PolicyLoadLimits.Default with { MaxFiles = 4 });

        Assert.Equal("limit-files", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void LoadDirectory_TotalOverTheLimit_IsRefused()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "# " + new string('x', 3000));
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), "# " + new string('x', 3000));

        PolicyLoadResult result = PolicyLoader.LoadDirectory(_dir, PolicyLoadLimits.Default with { MaxTotalBytes = 5000 });

        Assert.Contains(result.Diagnostics, d => d.Code == "limit-total-size");
        Assert.Null(result.Model);
    }

    [Fact]
    public void LoadDirectory_InvalidUtf8_IsAnError()
    {
        File.WriteAllBytes(Path.Combine(_dir, "a.yaml"), [.. "mode: "u8, 0xC3, 0x28]);

        PolicyLoadResult result = PolicyLoader.LoadDirectory(_dir);

        Assert.Equal("encoding", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void LoadDirectory_ReadsOnlyYamlFilesInNameOrderAndSkipsHiddenOnes()
    {
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), "flows:\n  - {name: second, from: p, to: s, operations: [echo]}\n");
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "zones: [{name: z, kind: device, networks: [10.0.0.0/8]}]\npeers: [{name: p, zone: z, ae-titles: [P], addresses: [10.0.0.1]}]\nservices: [{name: s, kind: pacs, ae-title: S}]\nflows:\n  - {name: first, from: p, to: s, operations: [echo]}\n");
        File.WriteAllText(Path.Combine(_dir, ".c.yaml"), "this: is ignored");
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "not: yaml: at: all");
        File.WriteAllText(Path.Combine(_dir, "d.yml"), "not: read");
        Directory.CreateDirectory(Path.Combine(_dir, "schema"));
        File.WriteAllText(Path.Combine(_dir, "schema", "x.yaml"), "not: read");

        PolicyLoadResult result = PolicyLoader.LoadDirectory(_dir);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(["first", "second"], result.Model!.Flows.Select(f => f.Name));
        Assert.Equal([Path.Combine(_dir, "a.yaml"), Path.Combine(_dir, "b.yaml")], result.Files);
    }

    [Fact]
    public void LoadDirectory_Missing_IsUnreadable()
    {
        PolicyLoadResult result = PolicyLoader.LoadDirectory(Path.Combine(_dir, "nope"));

        Assert.True(result.IsUnreadable);
        Assert.Equal("io", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void LoadDirectory_Empty_IsAValidPolicyThatDeniesEverything()
    {
        PolicyLoadResult result = PolicyLoader.LoadDirectory(_dir);

        Assert.True(result.Succeeded);
        Assert.Equal(PolicyOutcome.Deny, new PolicyEvaluator(result.Model!).Evaluate(Requests.CtStore()).Outcome);
    }

    [Fact]
    public void Load_ManyErrors_AreCappedWithACount()
    {
        string yaml = "zones:\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"  - {{name: Z{i}, kind: device, networks: [10.0.0.0/8]}}\n"));

        PolicyLoadResult result = PolicyLoader.Load([new PolicySource("a.yaml", yaml)], PolicyLoadLimits.Default with { MaxErrors = 10 });

        Assert.Equal(11, result.Diagnostics.Count);
        Assert.Equal("limit-errors: 20 more errors not shown", result.Diagnostics[^1].Code + ": " + result.Diagnostics[^1].Message);
    }

    [Fact]
    public void Load_ByteOrderMarkAndCrLf_AreAccepted()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "version: 1\r\nmode: observe\r\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        PolicyLoadResult result = PolicyLoader.LoadDirectory(_dir);

        Assert.Equal(PolicyMode.Observe, result.Model!.Mode);
    }

    [Fact]
    public void Load_ScalarShorthands_AreAcceptedForLists()
    {
        Gateway.Policy.Model.PolicyModel model = Policies.Model(Zone("z") + "\npeers:\n  - {name: p, zone: z, ae-titles: P, addresses: 10.1.0.1}");

        Assert.Equal(["P"], model.Peers[0].AETitles);
    }

    private static string Zone(string name) => $"zones:\n  - name: {name}\n    kind: device\n    networks: [10.1.0.0/24]";

    private static string Peer(string line) => Zone("z") + "\npeers:\n  - name: p\n    zone: z\n    addresses: [10.1.0.1]\n  " + line;

    private static string Flow(string extra, string operation = "store") =>
        Zone("z") + "\npeers:\n  - {name: p, zone: z, ae-titles: [P], addresses: [10.1.0.1]}\nservices:\n  - {name: s, kind: pacs, ae-title: S}\nflows:\n  - name: f\n    from: p\n    to: s\n    operations: [" + operation + "]\n    " + extra;
}
