using System.Buffers.Binary;
using System.Text;

namespace Gateway.Dicom.Network.Pdus;

/// <summary>Decodes PDU bodies (PS3.8 9.3), checking every length against what contains it.</summary>
/// <remarks>
/// The caller reads the 6-byte header, checks the PDU type and length against <see cref="PduLimits"/>
/// (<see cref="CheckHeader"/>), then passes the body. Every malformation is a <see cref="DicomProtocolException"/>
/// with the A-ABORT reason it maps to; unknown User Information sub-items are ignored (PS3.7 D.3.3).
/// </remarks>
public static class PduReader
{
    /// <summary>Checks a PDU header and returns its type and body length.</summary>
    /// <exception cref="DicomProtocolException">Unknown PDU type, or a length over the limit for that type.</exception>
    public static (PduType Type, uint Length) CheckHeader(ReadOnlySpan<byte> header, PduLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        byte type = header[0];
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[2..]);
        uint max = type switch
        {
            (byte)PduType.AssociateRequest or (byte)PduType.AssociateAccept => limits.MaxAssociatePduLength,
            (byte)PduType.DataTransfer => limits.MaxDataPduLength,
            (byte)PduType.AssociateReject or (byte)PduType.ReleaseRequest or (byte)PduType.ReleaseResponse or (byte)PduType.Abort => 4,
            _ => throw new DicomProtocolException(Pdus.AbortReason.UnrecognizedPdu, $"unrecognized PDU type 0x{type:X2}"),
        };

        if (length > max)
        {
            throw new DicomProtocolException(
                Pdus.AbortReason.InvalidPduParameterValue,
                $"PDU type 0x{type:X2} declares {length} bytes, more than the {max} accepted");
        }

        return ((PduType)type, length);
    }

    /// <summary>Decodes a PDU body. P-DATA values refer to <paramref name="body"/> without copying.</summary>
    public static Pdu Parse(PduType type, ReadOnlyMemory<byte> body, PduLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return type switch
        {
            PduType.AssociateRequest => ParseAssociateRequest(body.Span, limits),
            PduType.AssociateAccept => ParseAssociateAccept(body.Span, limits),
            PduType.AssociateReject => ParseFour(body.Span, b => new AssociateRejectPdu((RejectResult)b[1], (RejectSource)b[2], b[3])),
            PduType.DataTransfer => ParseDataTransfer(body),
            PduType.ReleaseRequest => ParseFour(body.Span, _ => ReleaseRequestPdu.Instance),
            PduType.ReleaseResponse => ParseFour(body.Span, _ => ReleaseResponsePdu.Instance),
            PduType.Abort => ParseFour(body.Span, b => new AbortPdu((AbortSource)b[2], (AbortReason)b[3])),
            _ => throw new DicomProtocolException(AbortReason.UnrecognizedPdu, $"unrecognized PDU type 0x{(byte)type:X2}"),
        };
    }

    private delegate Pdu FixedParser(ReadOnlySpan<byte> body);

    private static Pdu ParseFour(ReadOnlySpan<byte> body, FixedParser parse) =>
        body.Length == 4 ? parse(body) : throw Invalid($"a fixed-size PDU has {body.Length} bytes instead of 4");

    private static DataTransferPdu ParseDataTransfer(ReadOnlyMemory<byte> body)
    {
        var values = new List<PresentationDataValue>();
        int at = 0;
        ReadOnlySpan<byte> span = body.Span;
        while (at < span.Length)
        {
            if (span.Length - at < 6)
            {
                throw Invalid("a presentation data value item header is cut short");
            }

            uint itemLength = BinaryPrimitives.ReadUInt32BigEndian(span[at..]);
            if (itemLength < 2 || itemLength > (uint)(span.Length - at - 4))
            {
                throw Invalid($"a presentation data value item declares {itemLength} bytes, but {span.Length - at - 4} remain in the PDU");
            }

            byte contextId = span[at + 4];
            byte header = span[at + 5];
            if ((header & 0xFC) != 0)
            {
                // PS3.8 E.2: bits 2-7 of the message control header are zero.
                throw Invalid($"message control header 0x{header:X2} has reserved bits set");
            }

            values.Add(new PresentationDataValue(contextId, (header & 1) != 0, (header & 2) != 0, body.Slice(at + 6, (int)itemLength - 2)));
            at += 4 + (int)itemLength;
        }

        if (values.Count == 0)
        {
            throw Invalid("a P-DATA-TF holds no presentation data value");
        }

        return new DataTransferPdu(values);
    }

    private static AssociateRequestPdu ParseAssociateRequest(ReadOnlySpan<byte> body, PduLimits limits)
    {
        (ushort version, string called, string calling) = ParseFixed(body);
        string? context = null;
        UserInformation? user = null;
        var contexts = new List<PresentationContextProposal>();
        var items1 = new ItemCursor(body[68..]);
        while (items1.MoveNext())
        {
            byte type = items1.Type;
            ReadOnlySpan<byte> content = items1.Content;
            switch (type)
            {
                case 0x10:
                    context = Uid(content);
                    break;
                case 0x20:
                    if (contexts.Count >= limits.MaxPresentationContexts)
                    {
                        throw Invalid($"more than {limits.MaxPresentationContexts} presentation contexts");
                    }

                    contexts.Add(ParseProposal(content, limits));
                    break;
                case 0x50:
                    user = ParseUserInformation(content, limits);
                    break;
                default:
                    throw new DicomProtocolException(AbortReason.UnrecognizedPduParameter, $"unrecognized item type 0x{type:X2} in A-ASSOCIATE-RQ");
            }
        }

        return new AssociateRequestPdu
        {
            ProtocolVersion = version,
            CalledAE = called,
            CallingAE = calling,
            ApplicationContext = context ?? throw Invalid("the A-ASSOCIATE-RQ has no application context item"),
            PresentationContexts = contexts,
            UserInformation = user ?? throw Invalid("the A-ASSOCIATE-RQ has no user information item"),
        };
    }

    private static AssociateAcceptPdu ParseAssociateAccept(ReadOnlySpan<byte> body, PduLimits limits)
    {
        (ushort version, string called, string calling) = ParseFixed(body);
        string? context = null;
        UserInformation? user = null;
        var contexts = new List<PresentationContextAnswer>();
        var items2 = new ItemCursor(body[68..]);
        while (items2.MoveNext())
        {
            byte type = items2.Type;
            ReadOnlySpan<byte> content = items2.Content;
            switch (type)
            {
                case 0x10:
                    context = Uid(content);
                    break;
                case 0x21:
                    if (contexts.Count >= limits.MaxPresentationContexts)
                    {
                        throw Invalid($"more than {limits.MaxPresentationContexts} presentation contexts");
                    }

                    if (content.Length < 4)
                    {
                        throw Invalid("a presentation context item is cut short");
                    }

                    string ts = string.Empty;
                    var items3 = new ItemCursor(content[4..]);
                    while (items3.MoveNext())
                    {
                        byte subType = items3.Type;
                        ReadOnlySpan<byte> sub = items3.Content;
                        if (subType == 0x40)
                        {
                            ts = Uid(sub);
                        }
                    }

                    contexts.Add(new PresentationContextAnswer(content[0], (PresentationContextResult)content[2], ts));
                    break;
                case 0x50:
                    user = ParseUserInformation(content, limits);
                    break;
                default:
                    throw new DicomProtocolException(AbortReason.UnrecognizedPduParameter, $"unrecognized item type 0x{type:X2} in A-ASSOCIATE-AC");
            }
        }

        return new AssociateAcceptPdu
        {
            ProtocolVersion = version,
            CalledAE = called,
            CallingAE = calling,
            ApplicationContext = context ?? throw Invalid("the A-ASSOCIATE-AC has no application context item"),
            PresentationContexts = contexts,
            UserInformation = user ?? throw Invalid("the A-ASSOCIATE-AC has no user information item"),
        };
    }

    private static (ushort Version, string Called, string Calling) ParseFixed(ReadOnlySpan<byte> body)
    {
        if (body.Length < 68)
        {
            throw Invalid($"an A-ASSOCIATE PDU has {body.Length} bytes, fewer than its 68 fixed ones");
        }

        return (BinaryPrimitives.ReadUInt16BigEndian(body), AETitle(body.Slice(4, 16)), AETitle(body.Slice(20, 16)));
    }

    private static PresentationContextProposal ParseProposal(ReadOnlySpan<byte> content, PduLimits limits)
    {
        if (content.Length < 4)
        {
            throw Invalid("a presentation context item is cut short");
        }

        string? abstractSyntax = null;
        var syntaxes = new List<string>();
        var items4 = new ItemCursor(content[4..]);
        while (items4.MoveNext())
        {
            byte type = items4.Type;
            ReadOnlySpan<byte> sub = items4.Content;
            switch (type)
            {
                case 0x30:
                    abstractSyntax = Uid(sub);
                    break;
                case 0x40:
                    if (syntaxes.Count >= limits.MaxTransferSyntaxesPerContext)
                    {
                        throw Invalid($"more than {limits.MaxTransferSyntaxesPerContext} transfer syntaxes in one presentation context");
                    }

                    syntaxes.Add(Uid(sub));
                    break;
                default:
                    throw new DicomProtocolException(AbortReason.UnrecognizedPduParameter, $"unrecognized sub-item 0x{type:X2} in a presentation context");
            }
        }

        return new PresentationContextProposal(content[0], abstractSyntax ?? string.Empty, syntaxes);
    }

    private static UserInformation ParseUserInformation(ReadOnlySpan<byte> content, PduLimits limits)
    {
        uint maxLength = 0;
        string implementationClass = string.Empty;
        string? version = null;
        ushort? invoked = null;
        ushort performed = 0;
        var roles = new List<RoleSelection>();
        var extended = new List<SopClassExtendedNegotiation>();
        var common = new List<SopClassCommonExtendedNegotiation>();
        UserIdentityRequest? identity = null;
        ReadOnlyMemory<byte>? response = null;
        int count = 0;
        var items5 = new ItemCursor(content);
        while (items5.MoveNext())
        {
            byte type = items5.Type;
            ReadOnlySpan<byte> sub = items5.Content;
            if (++count > limits.MaxUserInformationSubItems * 4)
            {
                throw Invalid("too many user information sub-items");
            }

            switch (type)
            {
                case 0x51:
                    maxLength = sub.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(sub) : throw Invalid("the maximum length sub-item is not 4 bytes");
                    break;
                case 0x52:
                    implementationClass = Uid(sub);
                    break;
                case 0x53:
                    if (sub.Length != 4)
                    {
                        throw Invalid("the asynchronous operations window sub-item is not 4 bytes");
                    }

                    invoked = BinaryPrimitives.ReadUInt16BigEndian(sub);
                    performed = BinaryPrimitives.ReadUInt16BigEndian(sub[2..]);
                    break;
                case 0x54:
                {
                    ReadOnlySpan<byte> rest = sub;
                    string uid = LengthPrefixed(ref rest);
                    if (rest.Length != 2)
                    {
                        throw Invalid("an SCP/SCU role selection sub-item is malformed");
                    }

                    Limit(roles.Count, limits);
                    roles.Add(new RoleSelection(uid, rest[0] == 1, rest[1] == 1));
                    break;
                }

                case 0x55:
                    version = Encoding.ASCII.GetString(sub).TrimEnd(' ', '\0');
                    break;
                case 0x56:
                {
                    ReadOnlySpan<byte> rest = sub;
                    string uid = LengthPrefixed(ref rest);
                    Limit(extended.Count, limits);
                    extended.Add(new SopClassExtendedNegotiation(uid, rest.ToArray()));
                    break;
                }

                case 0x57:
                {
                    ReadOnlySpan<byte> rest = sub;
                    string uid = LengthPrefixed(ref rest);
                    string serviceClass = LengthPrefixed(ref rest);
                    if (rest.Length < 2)
                    {
                        throw Invalid("a SOP class common extended negotiation sub-item is cut short");
                    }

                    int relatedLength = BinaryPrimitives.ReadUInt16BigEndian(rest);
                    ReadOnlySpan<byte> related = rest[2..];
                    if (relatedLength != related.Length)
                    {
                        throw Invalid("the related general SOP class list length does not match the sub-item");
                    }

                    var relatedUids = new List<string>();
                    while (!related.IsEmpty)
                    {
                        Limit(relatedUids.Count, limits);
                        relatedUids.Add(LengthPrefixed(ref related));
                    }

                    Limit(common.Count, limits);
                    common.Add(new SopClassCommonExtendedNegotiation(uid, serviceClass, relatedUids));
                    break;
                }

                case 0x58:
                {
                    if (sub.Length < 2)
                    {
                        throw Invalid("a user identity sub-item is cut short");
                    }

                    ReadOnlySpan<byte> rest = sub[2..];
                    byte[] primary = LengthPrefixedBytes(ref rest);
                    byte[] secondary = LengthPrefixedBytes(ref rest);
                    identity = new UserIdentityRequest((UserIdentityType)sub[0], sub[1] == 1, primary, secondary);
                    break;
                }

                case 0x59:
                {
                    ReadOnlySpan<byte> rest = sub;
                    response = LengthPrefixedBytes(ref rest);
                    break;
                }

                default:
                    // PS3.7 D.3.3: unrecognized user information sub-items are ignored.
                    break;
            }
        }

        return new UserInformation
        {
            MaximumLength = maxLength,
            ImplementationClassUid = implementationClass,
            ImplementationVersionName = version,
            MaxOperationsInvoked = invoked,
            MaxOperationsPerformed = performed,
            RoleSelections = roles,
            ExtendedNegotiations = extended,
            CommonExtendedNegotiations = common,
            UserIdentity = identity,
            UserIdentityServerResponse = response,
        };
    }

    private static void Limit(int count, PduLimits limits)
    {
        if (count >= limits.MaxUserInformationSubItems)
        {
            throw Invalid($"more than {limits.MaxUserInformationSubItems} user information sub-items of one kind");
        }
    }

    private static string LengthPrefixed(ref ReadOnlySpan<byte> rest) => Uid(LengthPrefixedBytes(ref rest));

    private static byte[] LengthPrefixedBytes(ref ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 2)
        {
            throw Invalid("a length-prefixed field is cut short");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(rest);
        if (length > rest.Length - 2)
        {
            throw Invalid($"a field declares {length} bytes but {rest.Length - 2} remain");
        }

        byte[] value = rest.Slice(2, length).ToArray();
        rest = rest[(2 + length)..];
        return value;
    }

    private static string Uid(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');

    private static string AETitle(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes).Trim(' ', '\0');

    private static DicomProtocolException Invalid(string message) => new(AbortReason.InvalidPduParameterValue, message);

    /// <summary>Iterates the items (type, reserved, 16-bit length, content) of a span, checking each length.</summary>
    private ref struct ItemCursor(ReadOnlySpan<byte> span)
    {
        private ReadOnlySpan<byte> _rest = span;

        public byte Type { get; private set; }

        public ReadOnlySpan<byte> Content { get; private set; }

        public bool MoveNext()
        {
            if (_rest.IsEmpty)
            {
                return false;
            }

            if (_rest.Length < 4)
            {
                throw Invalid("an item header is cut short");
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(_rest[2..]);
            if (length > _rest.Length - 4)
            {
                throw Invalid($"item 0x{_rest[0]:X2} declares {length} bytes but {_rest.Length - 4} remain");
            }

            Type = _rest[0];
            Content = _rest.Slice(4, length);
            _rest = _rest[(4 + length)..];
            return true;
        }
    }
}
