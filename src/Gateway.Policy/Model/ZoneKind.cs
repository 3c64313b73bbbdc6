namespace Gateway.Policy.Model;

/// <summary>What a zone is, for the linter's judgement of grants.</summary>
public enum ZoneKind : byte
{
    /// <summary><c>device</c>: the legacy device VLAN (plain DIMSE, unpatchable devices).</summary>
    Device,

    /// <summary><c>clinical</c>: the clinical network (PACS, RIS, viewers); legs here should use TLS.</summary>
    Clinical,
}
