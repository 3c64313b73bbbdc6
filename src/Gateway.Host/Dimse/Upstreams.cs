using Gateway.Dicom;
using Gateway.Dicom.Network;
using Gateway.Dicom.Network.Associations;
using Gateway.Dicom.Network.Pdus;
using Gateway.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Dimse;

/// <summary>Opens associations from the gateway (its own AE title) to a configured upstream or VLAN device.</summary>
public sealed class Upstreams(IOptions<GatewayOptions> options, GatewayTls tls, ILoggerFactory loggers, Policy.GatewayPolicy? policy = null)
{

    /// <summary>How long the gateway waits for a VLAN device's connection, association and each response.</summary>
    public static readonly TimeSpan DeviceTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The upstream configured under <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">No such upstream.</exception>
    public UpstreamOptions Get(string name) =>
        options.Value.Upstreams.TryGetValue(name, out UpstreamOptions? upstream)
            ? upstream
            : throw new InvalidOperationException($"Gateway:Upstreams has no entry '{name}'.");

    /// <summary>
    /// Where a request to <paramref name="calledAE"/> goes: the upstream of the policy's service with that AE title when
    /// it names one, else the configured upstream <paramref name="routingName"/>; null when neither exists.
    /// </summary>
    public UpstreamTarget? Resolve(string calledAE, string? routingName)
    {
        if (policy?.ServiceFor(calledAE)?.Upstream is { } fromPolicy)
        {
            return UpstreamTarget.From(fromPolicy);
        }

        return routingName is not null && options.Value.Upstreams.TryGetValue(routingName, out UpstreamOptions? upstream)
            ? new UpstreamTarget(upstream.AETitle, upstream.Host, upstream.Port, upstream.Tls, TimeSpan.FromSeconds(upstream.TimeoutSeconds))
            {
                DicomWeb = upstream.DicomWeb is null ? null : routingName,
            }
            : null;
    }

    /// <summary>Connects to an upstream proposing <paramref name="abstractSyntaxes"/> in uncompressed syntaxes (and <paramref name="extra"/> contexts).</summary>
    public Task<DicomAssociation> ConnectAsync(
        UpstreamTarget target,
        IEnumerable<string> abstractSyntaxes,
        IReadOnlyList<RoleSelection>? roles = null,
        IDimseRequestHandler? handler = null,
        IEnumerable<PresentationContextProposalSpec>? extra = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return ConnectAsync(target.AETitle, target.Host, target.Port, target.Tls, target.Timeout, abstractSyntaxes, roles, handler, extra, cancellationToken);
    }

    /// <summary>Releases an association the gateway opened; an upstream that already went away is not an error.</summary>
    public static async Task ReleaseQuietlyAsync(DicomAssociation association)
    {
        try
        {
            await association.ReleaseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DicomAssociationAbortedException or IOException or TimeoutException or InvalidOperationException)
        {
            // The upstream went away after answering: nothing is lost.
        }
    }

    /// <summary>Connects to upstream <paramref name="name"/> proposing <paramref name="abstractSyntaxes"/> in uncompressed syntaxes.</summary>
    public Task<DicomAssociation> ConnectAsync(
        string name,
        IEnumerable<string> abstractSyntaxes,
        IReadOnlyList<RoleSelection>? roles = null,
        IDimseRequestHandler? handler = null,
        IEnumerable<PresentationContextProposalSpec>? extra = null,
        CancellationToken cancellationToken = default)
    {
        UpstreamOptions upstream = Get(name);
        return ConnectAsync(upstream.AETitle, upstream.Host, upstream.Port, upstream.Tls, TimeSpan.FromSeconds(upstream.TimeoutSeconds), abstractSyntaxes, roles, handler, extra, cancellationToken);
    }

    /// <summary>Connects to a VLAN device (plain DIMSE) that receives from the gateway.</summary>
    public Task<DicomAssociation> ConnectToDeviceAsync(string aeTitle, IEnumerable<PresentationContextProposalSpec> contexts, CancellationToken cancellationToken)
    {
        if (!options.Value.Devices.TryGetValue(aeTitle, out DeviceOptions? device))
        {
            throw new InvalidOperationException($"Gateway:Devices has no entry '{aeTitle}'.");
        }

        return ConnectAsync(aeTitle, device.Host, device.Port, useTls: false, DeviceTimeout, [], null, null, contexts, cancellationToken);
    }

    private async Task<DicomAssociation> ConnectAsync(
        string calledAE,
        string host,
        int port,
        bool useTls,
        TimeSpan timeout,
        IEnumerable<string> abstractSyntaxes,
        IReadOnlyList<RoleSelection>? roles,
        IDimseRequestHandler? handler,
        IEnumerable<PresentationContextProposalSpec>? extra,
        CancellationToken cancellationToken)
    {
        var proposals = new List<PresentationContextProposal>();
        byte id = 1;
        foreach (string syntax in abstractSyntaxes)
        {
            proposals.Add(new PresentationContextProposal(id, syntax, [.. PresentationContextProposalSpec.Uncompressed.Select(t => t.Uid.Value)]));
            id += 2;
        }

        foreach (PresentationContextProposalSpec spec in extra ?? [])
        {
            proposals.Add(new PresentationContextProposal(id, spec.AbstractSyntax, [.. spec.TransferSyntaxes.Select(t => t.Uid.Value)]));
            id += 2;
        }

        var client = new DicomClientOptions
        {
            Host = host,
            Port = port,
            Tls = useTls ? tls.ClientOptions() : null,
            Association = AssociationOptions.Default with { ConnectTimeout = timeout, DimseTimeout = timeout, ArtimTimeout = timeout },
        };
        var request = new AssociationRequest
        {
            CallingAE = options.Value.AETitle,
            CalledAE = calledAE,
            PresentationContexts = proposals,
            RoleSelections = roles ?? [],
        };
        return await DicomClient.ConnectAsync(client, request, handler, loggers.CreateLogger("Gateway.Upstream"), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>An upstream to connect to.</summary>
public sealed record UpstreamTarget(string AETitle, string Host, int Port, bool Tls, TimeSpan Timeout)
{
    /// <summary>
    /// The name under <c>Gateway:Upstreams</c> of a DICOMweb origin (<see cref="Bridge.DicomWebUpstreams"/>) that serves
    /// instead of a DIMSE node, or null for a DIMSE upstream (policy upstreams are always DIMSE).
    /// </summary>
    public string? DicomWeb { get; init; }

    /// <summary>The upstream of a policy service (30 s for connection, association and each response).</summary>
    public static UpstreamTarget From(Gateway.Policy.Model.UpstreamDefinition upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return new UpstreamTarget(upstream.AETitle, upstream.Host, upstream.Port, upstream.Tls, TimeSpan.FromSeconds(30));
    }
}

/// <summary>One presentation context to propose: an abstract syntax and its transfer syntaxes in our order of preference.</summary>
public sealed record PresentationContextProposalSpec(string AbstractSyntax, IReadOnlyList<DicomTransferSyntax> TransferSyntaxes)
{
    /// <summary>The uncompressed syntaxes the gateway proposes, explicit VR little endian first.</summary>
    public static IReadOnlyList<DicomTransferSyntax> Uncompressed { get; } = [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian];


    /// <summary>
    /// The contexts that let an instance of <paramref name="sopClass"/> encoded in <paramref name="syntax"/> be sent: a
    /// compressed or deflated syntax in a context of its own, and the uncompressed ones in another. In one context
    /// together, the acceptor picks one syntax by its own preference, and Orthanc picks explicit VR little endian, into
    /// which compressed pixel data cannot be converted (found with pydicom's JPEG and JPEG 2000 files over STOW-RS).
    /// </summary>
    public static IReadOnlyList<PresentationContextProposalSpec> ForStoring(string sopClass, DicomTransferSyntax syntax) =>
        syntax.IsEncapsulated || syntax.IsDeflated
            ? [new(sopClass, [syntax]), new(sopClass, Uncompressed)]
            : [new(sopClass, Uncompressed)];
}
