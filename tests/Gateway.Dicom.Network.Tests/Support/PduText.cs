using System.Text;
using Gateway.Dicom.Network.Pdus;

namespace Gateway.Dicom.Network.Tests.Support;

/// <summary>
/// A complete, deterministic text form of a PDU (every field, lists expanded, bytes in hex), so two PDUs compare
/// structurally with a readable diff: records with list and memory members do not compare by value.
/// </summary>
internal static class PduText
{
    public static string Describe(Pdu pdu)
    {
        var s = new StringBuilder();
        s.Append(pdu.Type).Append('\n');
        switch (pdu)
        {
            case AssociateRequestPdu rq:
                Associate(s, rq);
                foreach (PresentationContextProposal pc in rq.PresentationContexts)
                {
                    s.Append($"pc {pc.Id} {pc.AbstractSyntax} [{string.Join(", ", pc.TransferSyntaxes)}]\n");
                }

                User(s, rq.UserInformation);
                break;
            case AssociateAcceptPdu ac:
                Associate(s, ac);
                foreach (PresentationContextAnswer pc in ac.PresentationContexts)
                {
                    s.Append($"pc {pc.Id} {pc.Result} {pc.TransferSyntax}\n");
                }

                User(s, ac.UserInformation);
                break;
            case AssociateRejectPdu rj:
                s.Append($"{rj.Result} {rj.Source} {rj.Reason}\n");
                break;
            case DataTransferPdu pd:
                foreach (PresentationDataValue pdv in pd.Values)
                {
                    s.Append($"pdv {pdv.PresentationContextId} command={pdv.IsCommand} last={pdv.IsLast} {Convert.ToHexString(pdv.Data.Span)}\n");
                }

                break;
            case AbortPdu ab:
                s.Append($"{ab.Source} {ab.Reason}\n");
                break;
            default:
                break;
        }

        return s.ToString();
    }

    private static void Associate(StringBuilder s, AssociatePdu pdu) =>
        s.Append($"version {pdu.ProtocolVersion} called '{pdu.CalledAE}' calling '{pdu.CallingAE}' context {pdu.ApplicationContext}\n");

    private static void User(StringBuilder s, UserInformation u)
    {
        s.Append($"max {u.MaximumLength} class {u.ImplementationClassUid} version {u.ImplementationVersionName ?? "(none)"}\n");
        s.Append($"window {(u.MaxOperationsInvoked is { } i ? $"{i}/{u.MaxOperationsPerformed}" : "(none)")}\n");
        foreach (RoleSelection r in u.RoleSelections)
        {
            s.Append($"role {r.SopClassUid} scu={r.ScuRole} scp={r.ScpRole}\n");
        }

        foreach (SopClassExtendedNegotiation e in u.ExtendedNegotiations)
        {
            s.Append($"ext {e.SopClassUid} {Convert.ToHexString(e.ServiceClassApplicationInformation.Span)}\n");
        }

        foreach (SopClassCommonExtendedNegotiation c in u.CommonExtendedNegotiations)
        {
            s.Append($"common {c.SopClassUid} {c.ServiceClassUid} [{string.Join(", ", c.RelatedGeneralSopClassUids)}]\n");
        }

        if (u.UserIdentity is { } id)
        {
            s.Append($"identity {id.IdentityType} positive={id.PositiveResponseRequested} {Convert.ToHexString(id.PrimaryField.Span)} {Convert.ToHexString(id.SecondaryField.Span)}\n");
        }

        if (u.UserIdentityServerResponse is { } response)
        {
            s.Append($"identity response {Convert.ToHexString(response.Span)}\n");
        }
    }
}
