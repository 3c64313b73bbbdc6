using System.Buffers.Binary;
using System.Text;

namespace Gateway.Dicom.Network.Pdus;

/// <summary>Encodes PDUs into their exact byte form (PS3.8 9.3): big-endian lengths, AE titles space-padded to 16 bytes.</summary>
public static class PduWriter
{
    /// <summary>The size of a PDU header: type, reserved, 32-bit length.</summary>
    public const int PduHeaderLength = 6;

    /// <summary>The size of a PDV item header inside a P-DATA-TF: 32-bit length, context id, message control header.</summary>
    public const int PdvHeaderLength = 6;

    /// <summary>Encodes a whole PDU.</summary>
    public static byte[] Encode(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var body = new List<byte>(256);
        switch (pdu)
        {
            case AssociateRequestPdu rq:
                WriteAssociateFixedFields(body, rq);
                foreach (PresentationContextProposal pc in rq.PresentationContexts)
                {
                    var sub = new List<byte> { pc.Id, 0, 0, 0 };
                    WriteItem(sub, 0x30, Ascii(pc.AbstractSyntax));
                    foreach (string ts in pc.TransferSyntaxes)
                    {
                        WriteItem(sub, 0x40, Ascii(ts));
                    }

                    WriteItem(body, 0x20, [.. sub]);
                }

                WriteItem(body, 0x50, EncodeUserInformation(rq.UserInformation));
                break;
            case AssociateAcceptPdu ac:
                WriteAssociateFixedFields(body, ac);
                foreach (PresentationContextAnswer pc in ac.PresentationContexts)
                {
                    var sub = new List<byte> { pc.Id, 0, (byte)pc.Result, 0 };
                    WriteItem(sub, 0x40, Ascii(pc.TransferSyntax));
                    WriteItem(body, 0x21, [.. sub]);
                }

                WriteItem(body, 0x50, EncodeUserInformation(ac.UserInformation));
                break;
            case AssociateRejectPdu rj:
                body.AddRange([0, (byte)rj.Result, (byte)rj.Source, rj.Reason]);
                break;
            case DataTransferPdu pd:
                foreach (PresentationDataValue pdv in pd.Values)
                {
                    AddUInt32(body, (uint)(pdv.Data.Length + 2));
                    body.Add(pdv.PresentationContextId);
                    body.Add(pdv.MessageControlHeader);
                    body.AddRange(pdv.Data.Span);
                }

                break;
            case ReleaseRequestPdu or ReleaseResponsePdu:
                body.AddRange([0, 0, 0, 0]);
                break;
            case AbortPdu ab:
                body.AddRange([0, 0, (byte)ab.Source, (byte)ab.Reason]);
                break;
            default:
                throw new ArgumentException($"Unknown PDU {pdu.GetType().Name}.", nameof(pdu));
        }

        byte[] result = new byte[PduHeaderLength + body.Count];
        result[0] = (byte)pdu.Type;
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(2), (uint)body.Count);
        body.CopyTo(result, PduHeaderLength);
        return result;
    }

    /// <summary>Writes the headers of a P-DATA-TF holding one PDV of <paramref name="dataLength"/> bytes.</summary>
    /// <param name="destination">At least <see cref="PduHeaderLength"/> + <see cref="PdvHeaderLength"/> bytes.</param>
    /// <param name="presentationContextId">The presentation context.</param>
    /// <param name="isCommand">Command (true) or data set (false) fragment.</param>
    /// <param name="isLast">True for the last fragment.</param>
    /// <param name="dataLength">The fragment's length.</param>
    public static void WriteSingleDataHeader(Span<byte> destination, byte presentationContextId, bool isCommand, bool isLast, int dataLength)
    {
        destination[0] = (byte)PduType.DataTransfer;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)(dataLength + PdvHeaderLength));
        BinaryPrimitives.WriteUInt32BigEndian(destination[6..], (uint)(dataLength + 2));
        destination[10] = presentationContextId;
        destination[11] = (byte)((isCommand ? 0x01 : 0x00) | (isLast ? 0x02 : 0x00));
    }

    private static void WriteAssociateFixedFields(List<byte> body, AssociatePdu pdu)
    {
        AddUInt16(body, pdu.ProtocolVersion);
        body.AddRange([0, 0]);
        body.AddRange(AETitleField(pdu.CalledAE));
        body.AddRange(AETitleField(pdu.CallingAE));
        body.AddRange(new byte[32]);
        WriteItem(body, 0x10, Ascii(pdu.ApplicationContext));
    }

    private static byte[] EncodeUserInformation(UserInformation info)
    {
        var ui = new List<byte>();
        byte[] max = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(max, info.MaximumLength);
        WriteItem(ui, 0x51, max);
        WriteItem(ui, 0x52, Ascii(info.ImplementationClassUid));
        if (info.MaxOperationsInvoked is ushort invoked)
        {
            byte[] window = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(window, invoked);
            BinaryPrimitives.WriteUInt16BigEndian(window.AsSpan(2), info.MaxOperationsPerformed);
            WriteItem(ui, 0x53, window);
        }

        foreach (RoleSelection role in info.RoleSelections)
        {
            var sub = new List<byte>();
            AddUInt16(sub, (ushort)role.SopClassUid.Length);
            sub.AddRange(Ascii(role.SopClassUid));
            sub.Add(role.ScuRole ? (byte)1 : (byte)0);
            sub.Add(role.ScpRole ? (byte)1 : (byte)0);
            WriteItem(ui, 0x54, [.. sub]);
        }

        if (info.ImplementationVersionName is { } version)
        {
            WriteItem(ui, 0x55, Ascii(version));
        }

        foreach (SopClassExtendedNegotiation ext in info.ExtendedNegotiations)
        {
            var sub = new List<byte>();
            AddUInt16(sub, (ushort)ext.SopClassUid.Length);
            sub.AddRange(Ascii(ext.SopClassUid));
            sub.AddRange(ext.ServiceClassApplicationInformation.Span);
            WriteItem(ui, 0x56, [.. sub]);
        }

        foreach (SopClassCommonExtendedNegotiation common in info.CommonExtendedNegotiations)
        {
            var sub = new List<byte>();
            AddUInt16(sub, (ushort)common.SopClassUid.Length);
            sub.AddRange(Ascii(common.SopClassUid));
            AddUInt16(sub, (ushort)common.ServiceClassUid.Length);
            sub.AddRange(Ascii(common.ServiceClassUid));
            var related = new List<byte>();
            foreach (string uid in common.RelatedGeneralSopClassUids)
            {
                AddUInt16(related, (ushort)uid.Length);
                related.AddRange(Ascii(uid));
            }

            AddUInt16(sub, (ushort)related.Count);
            sub.AddRange(related);
            WriteItem(ui, 0x57, [.. sub]);
        }

        if (info.UserIdentity is { } identity)
        {
            var sub = new List<byte> { (byte)identity.IdentityType, identity.PositiveResponseRequested ? (byte)1 : (byte)0 };
            AddUInt16(sub, (ushort)identity.PrimaryField.Length);
            sub.AddRange(identity.PrimaryField.Span);
            AddUInt16(sub, (ushort)identity.SecondaryField.Length);
            sub.AddRange(identity.SecondaryField.Span);
            WriteItem(ui, 0x58, [.. sub]);
        }

        if (info.UserIdentityServerResponse is { } response)
        {
            var sub = new List<byte>();
            AddUInt16(sub, (ushort)response.Length);
            sub.AddRange(response.Span);
            WriteItem(ui, 0x59, [.. sub]);
        }

        return [.. ui];
    }

    private static void WriteItem(List<byte> target, byte type, ReadOnlySpan<byte> content)
    {
        if (content.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"Item 0x{type:X2} is {content.Length} bytes, more than a 16-bit length holds.");
        }

        target.Add(type);
        target.Add(0);
        AddUInt16(target, (ushort)content.Length);
        target.AddRange(content);
    }

    private static byte[] AETitleField(string aeTitle)
    {
        byte[] field = new byte[16];
        field.AsSpan().Fill((byte)' ');
        byte[] bytes = Ascii(aeTitle);
        if (bytes.Length is 0 or > 16)
        {
            throw new ArgumentException($"AE title '{aeTitle}' must have 1 to 16 characters.", nameof(aeTitle));
        }

        bytes.CopyTo(field, 0);
        return field;
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static void AddUInt16(List<byte> target, ushort value)
    {
        target.Add((byte)(value >> 8));
        target.Add((byte)value);
    }

    private static void AddUInt32(List<byte> target, uint value)
    {
        target.Add((byte)(value >> 24));
        target.Add((byte)(value >> 16));
        target.Add((byte)(value >> 8));
        target.Add((byte)value);
    }
}
