using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Associations;

/// <summary>What a requester asks for in its A-ASSOCIATE-RQ.</summary>
public sealed record AssociationRequest
{
    /// <summary>Our AE title (1-16 characters).</summary>
    public required string CallingAE { get; init; }

    /// <summary>The peer's AE title.</summary>
    public required string CalledAE { get; init; }

    /// <summary>The presentation contexts to propose; ids must be odd and unique (see <see cref="PresentationContextsFor"/>).</summary>
    public required IReadOnlyList<PresentationContextProposal> PresentationContexts { get; init; }

    /// <summary>SCP/SCU role selections to propose (C-GET needs the SCP role for the storage classes it retrieves).</summary>
    public IReadOnlyList<RoleSelection> RoleSelections { get; init; } = [];

    /// <summary>SOP class extended negotiation to propose.</summary>
    public IReadOnlyList<SopClassExtendedNegotiation> ExtendedNegotiations { get; init; } = [];

    /// <summary>A user identity to send (PS3.7 D.3.3.7), or null.</summary>
    public UserIdentityRequest? UserIdentity { get; init; }

    /// <summary>
    /// Builds proposals: one presentation context per abstract syntax and transfer syntax group, ids 1, 3, 5 ...
    /// </summary>
    /// <param name="abstractSyntaxes">The SOP class UIDs.</param>
    /// <param name="transferSyntaxes">The transfer syntaxes to offer for each, in preference order.</param>
    public static IReadOnlyList<PresentationContextProposal> PresentationContextsFor(IEnumerable<string> abstractSyntaxes, IEnumerable<DicomTransferSyntax> transferSyntaxes)
    {
        ArgumentNullException.ThrowIfNull(abstractSyntaxes);
        ArgumentNullException.ThrowIfNull(transferSyntaxes);
        string[] ts = [.. transferSyntaxes.Select(t => t.Uid.Value)];
        var result = new List<PresentationContextProposal>();
        int id = 1;
        foreach (string abstractSyntax in abstractSyntaxes.Distinct(StringComparer.Ordinal))
        {
            if (id > 255)
            {
                throw new ArgumentException("At most 128 presentation contexts fit in one association.", nameof(abstractSyntaxes));
            }

            result.Add(new PresentationContextProposal((byte)id, abstractSyntax, ts));
            id += 2;
        }

        return result;
    }
}
