namespace Gateway.Dicom.Network.Pdus;

/// <summary>SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4): which roles a side proposes or accepts for a SOP class.</summary>
/// <param name="SopClassUid">The SOP class.</param>
/// <param name="ScuRole">True when the association requester may act as SCU (request), or the acceptor accepts it (answer).</param>
/// <param name="ScpRole">True when the association requester may act as SCP, or the acceptor accepts it.</param>
public sealed record RoleSelection(string SopClassUid, bool ScuRole, bool ScpRole);
