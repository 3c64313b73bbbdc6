using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Policy.Tests.Support;

/// <summary>Builds policies from YAML texts and finds the shipped example policies.</summary>
internal static class Policies
{
    /// <summary>Loads texts named a.yaml, b.yaml ... and asserts that the policy is valid.</summary>
    public static PolicyEvaluator Compile(params string[] yaml) => new(Model(yaml));

    /// <summary>Loads texts and asserts that the policy is valid.</summary>
    public static PolicyModel Model(params string[] yaml)
    {
        PolicyLoadResult result = Load(yaml);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Model!;
    }

    /// <summary>Loads texts named a.yaml, b.yaml ...</summary>
    public static PolicyLoadResult Load(params string[] yaml) =>
        PolicyLoader.Load(yaml.Select((text, i) => new PolicySource($"{(char)('a' + i)}.yaml", text)));

    /// <summary>The repository's policies/ directory.</summary>
    public static string ShippedDirectory => Path.Combine(RepositoryRoot, "policies");

    /// <summary>The repository root, recorded at build time (tests may run from another artifacts path).</summary>
    public static string RepositoryRoot =>
        typeof(Policies).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>A small policy used by many tests: one device zone, one clinical zone, CT and US peers, a TLS peer, PACS and worklist services.</summary>
    public const string Site = """
        version: 1
        zones:
          - name: devices
            kind: device
            networks: [10.1.0.0/24]
          - name: clinical
            kind: clinical
            networks: [10.2.0.0/16, "fd00::/64"]
        peers:
          - name: ct
            zone: devices
            ae-titles: [CT01]
            addresses: [10.1.0.11]
          - name: us
            zone: devices
            ae-titles: [US01, US01B]
            addresses: [10.1.0.31, 10.1.0.32]
          - name: ws
            zone: devices
            ae-titles: [WS01]
            addresses: [10.1.0.50]
          - name: viewer
            zone: clinical
            ae-titles: [VIEWER]
            addresses: [10.2.5.0/24, "fd00::5"]
            certificate:
              subject: CN=viewer.example.org, O=Example
              issuer: CN=Example CA
              san: [viewer.example.org]
        services:
          - name: pacs
            kind: pacs
            ae-title: GW_PACS
            upstream: { ae-title: PACS, host: pacs.example.org, port: 2762, tls: true }
          - name: mwl
            kind: worklist
            ae-title: GW_MWL
          - name: web
            kind: dicomweb
          - name: admin
            kind: admin
        flows:
          - name: ct-store
            from: ct
            to: pacs
            operations: [echo, store]
            sop-classes: [ct, sr]
            max-object-size: 1 MiB
            rate-limit: { associations-per-minute: 10, instances-per-minute: 100 }
          - name: us-store
            from: us
            to: pacs
            operations: [store]
            sop-classes: [us]
          - name: device-worklist
            from: devices
            to: mwl
            operations: [worklist]
          - name: ws-priors
            from: ws
            to: pacs
            operations: [find, move, get]
            sop-classes: [ct]
            move-destinations: [ws]
            time-windows:
              - { days: [mon-fri], from: "07:00", to: "19:00" }
          - name: viewer-query
            from: viewer
            to: pacs
            operations: [echo, find]
        roles:
          - name: clinician
            token-claim: true
            grants:
              - name: view
                services: [web]
                operations: [qido, wado]
          - name: ai
            grants:
              - name: read
                services: [web]
                operations: [qido, wado]
              - name: write
                services: [web]
                operations: [stow]
                sop-classes: [sr]
                max-object-size: 1 MiB
                rate-limit: { requests-per-minute: 5 }
          - name: auditor
            grants:
              - services: [admin]
                operations: [audit-read]
        clients:
          - name: viewer-app
            client-id: viewer-app
            roles: [clinician]
            addresses: [10.2.0.0/16]
          - name: ai-app
            client-id: ai-app
            roles: [ai]
            certificate:
              sha256: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
          - name: console
            client-id: console
            roles: [auditor, clinician]
        users:
          - id: dr.who
            roles: [clinician]
          - id: audrey
            roles: [auditor]
        """;
}
