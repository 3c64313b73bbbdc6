namespace Gateway.Dicom.Network.Pdus;

/// <summary>The User Information item (PS3.8 9.3.2.3 and PS3.7 Annex D.3.3) of an A-ASSOCIATE-RQ or -AC.</summary>
public sealed record UserInformation
{
    /// <summary>Maximum Length: the largest P-DATA-TF PDU length the sender will receive; 0 means unlimited (PS3.8 D.1).</summary>
    public uint MaximumLength { get; init; }

    /// <summary>Implementation Class UID (required).</summary>
    public string ImplementationClassUid { get; init; } = string.Empty;

    /// <summary>Implementation Version Name, up to 16 characters, or null.</summary>
    public string? ImplementationVersionName { get; init; }

    /// <summary>Asynchronous Operations Window: maximum operations invoked, or null when not negotiated.</summary>
    public ushort? MaxOperationsInvoked { get; init; }

    /// <summary>Asynchronous Operations Window: maximum operations performed (meaningful with <see cref="MaxOperationsInvoked"/>).</summary>
    public ushort MaxOperationsPerformed { get; init; }

    /// <summary>SCP/SCU Role Selection sub-items.</summary>
    public IReadOnlyList<RoleSelection> RoleSelections { get; init; } = [];

    /// <summary>SOP Class Extended Negotiation sub-items.</summary>
    public IReadOnlyList<SopClassExtendedNegotiation> ExtendedNegotiations { get; init; } = [];

    /// <summary>SOP Class Common Extended Negotiation sub-items (request only).</summary>
    public IReadOnlyList<SopClassCommonExtendedNegotiation> CommonExtendedNegotiations { get; init; } = [];

    /// <summary>User Identity sub-item (request only), or null.</summary>
    public UserIdentityRequest? UserIdentity { get; init; }

    /// <summary>User Identity server response (accept only), or null when none is sent.</summary>
    public ReadOnlyMemory<byte>? UserIdentityServerResponse { get; init; }
}
