using System.Buffers.Binary;
using Gateway.Dicom.IO;
using Gateway.Dicom.Model;

namespace Gateway.Dicom.Network.Dimse;

/// <summary>A DIMSE command set (group 0000), always encoded in implicit VR little endian (PS3.7 6.3.1).</summary>
/// <remarks>A thin typed view over a <see cref="DicomDataset"/>; unknown command elements are kept.</remarks>
public sealed class DimseCommand
{
    /// <summary>The largest command set accepted from a peer; commands are small.</summary>
    public const int MaxEncodedLength = 64 * 1024;

    /// <summary>Command Data Set Type value meaning "no data set" (PS3.7 E.1).</summary>
    public const ushort NoDataSet = 0x0101;

    /// <summary>Command Data Set Type value we send when a data set follows (any other value than 0101H means present).</summary>
    public const ushort DataSetPresent = 0x0001;

    /// <summary>Wraps an existing command data set.</summary>
    public DimseCommand(DicomDataset dataset)
    {
        Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
    }

    /// <summary>The command elements.</summary>
    public DicomDataset Dataset { get; }

    /// <summary>Command Field (0000,0100).</summary>
    public DimseCommandField CommandField
    {
        get => (DimseCommandField)(Dataset.GetInt32(DicomTags.CommandField) ?? 0);
        init => Dataset.SetUInt16(DicomTags.CommandField, (ushort)value);
    }

    /// <summary>Message ID (0000,0110).</summary>
    public ushort MessageId
    {
        get => (ushort)(Dataset.GetInt32(DicomTags.MessageID) ?? 0);
        init => Dataset.SetUInt16(DicomTags.MessageID, value);
    }

    /// <summary>Message ID Being Responded To (0000,0120).</summary>
    public ushort MessageIdBeingRespondedTo
    {
        get => (ushort)(Dataset.GetInt32(DicomTags.MessageIDBeingRespondedTo) ?? 0);
        init => Dataset.SetUInt16(DicomTags.MessageIDBeingRespondedTo, value);
    }

    /// <summary>Affected SOP Class UID (0000,0002).</summary>
    public string? AffectedSopClassUid
    {
        get => Dataset.GetString(DicomTags.AffectedSOPClassUID);
        init => SetUid(DicomTags.AffectedSOPClassUID, value);
    }

    /// <summary>Affected SOP Instance UID (0000,1000).</summary>
    public string? AffectedSopInstanceUid
    {
        get => Dataset.GetString(DicomTags.AffectedSOPInstanceUID);
        init => SetUid(DicomTags.AffectedSOPInstanceUID, value);
    }

    /// <summary>True when a data set follows the command (Command Data Set Type other than 0101H).</summary>
    public bool HasDataSet
    {
        get => (Dataset.GetInt32(DicomTags.CommandDataSetType) ?? NoDataSet) != NoDataSet;
        init => Dataset.SetUInt16(DicomTags.CommandDataSetType, value ? DataSetPresent : NoDataSet);
    }

    /// <summary>Status (0000,0900) of a response.</summary>
    public DimseStatus Status
    {
        get => new((ushort)(Dataset.GetInt32(DicomTags.Status) ?? 0));
        init => Dataset.SetUInt16(DicomTags.Status, value.Code);
    }

    /// <summary>Priority (0000,0700) of a request.</summary>
    public DimsePriority Priority
    {
        get => (DimsePriority)(Dataset.GetInt32(DicomTags.Priority) ?? 0);
        init => Dataset.SetUInt16(DicomTags.Priority, (ushort)value);
    }

    /// <summary>Move Destination (0000,0600) of a C-MOVE-RQ.</summary>
    public string? MoveDestination
    {
        get => Dataset.GetString(DicomTags.MoveDestination);
        init => SetText(DicomTags.MoveDestination, DicomVR.AE, value);
    }

    /// <summary>Move Originator Application Entity Title (0000,1030) of a C-STORE-RQ made for a C-MOVE.</summary>
    public string? MoveOriginatorAETitle
    {
        get => Dataset.GetString(DicomTags.MoveOriginatorApplicationEntityTitle);
        init => SetText(DicomTags.MoveOriginatorApplicationEntityTitle, DicomVR.AE, value);
    }

    /// <summary>Move Originator Message ID (0000,1031).</summary>
    public ushort? MoveOriginatorMessageId
    {
        get => (ushort?)Dataset.GetInt32(DicomTags.MoveOriginatorMessageID);
        init
        {
            if (value is ushort v)
            {
                Dataset.SetUInt16(DicomTags.MoveOriginatorMessageID, v);
            }
        }
    }

    /// <summary>Error Comment (0000,0902).</summary>
    public string? ErrorComment
    {
        get => Dataset.GetString(DicomTags.ErrorComment);
        init => SetText(DicomTags.ErrorComment, DicomVR.LO, value is { Length: > 64 } ? value[..64] : value);
    }

    /// <summary>Number of Remaining Sub-operations (0000,1020).</summary>
    public ushort? RemainingSubOperations
    {
        get => (ushort?)Dataset.GetInt32(DicomTags.NumberOfRemainingSuboperations);
        init => SetCount(DicomTags.NumberOfRemainingSuboperations, value);
    }

    /// <summary>Number of Completed Sub-operations (0000,1021).</summary>
    public ushort? CompletedSubOperations
    {
        get => (ushort?)Dataset.GetInt32(DicomTags.NumberOfCompletedSuboperations);
        init => SetCount(DicomTags.NumberOfCompletedSuboperations, value);
    }

    /// <summary>Number of Failed Sub-operations (0000,1022).</summary>
    public ushort? FailedSubOperations
    {
        get => (ushort?)Dataset.GetInt32(DicomTags.NumberOfFailedSuboperations);
        init => SetCount(DicomTags.NumberOfFailedSuboperations, value);
    }

    /// <summary>Number of Warning Sub-operations (0000,1023).</summary>
    public ushort? WarningSubOperations
    {
        get => (ushort?)Dataset.GetInt32(DicomTags.NumberOfWarningSuboperations);
        init => SetCount(DicomTags.NumberOfWarningSuboperations, value);
    }

    /// <summary>True for a response (bit 15 of the command field).</summary>
    public bool IsResponse => ((ushort)CommandField & 0x8000) != 0;

    /// <summary>Creates an empty command with the given field.</summary>
    public static DimseCommand Create(DimseCommandField field) => new(new DicomDataset()) { CommandField = field };

    /// <summary>Encodes the command in implicit VR little endian with its group length first (PS3.7 6.3.1, E.1).</summary>
    public byte[] Encode()
    {
        // Implicit VR LE: tag, 32-bit length, value padded to even length (PS3.5 7.1.3).
        int size = 12;
        foreach (DicomItem item in Dataset)
        {
            if (item is DicomElement e && e.Tag.Group == 0x0000 && !e.Tag.IsGroupLength)
            {
                size += 8 + e.Length + (e.Length & 1);
            }
        }

        byte[] result = new byte[size];
        Span<byte> s = result;
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)(size - 12));
        int at = 12;
        foreach (DicomItem item in Dataset)
        {
            if (item is DicomElement e && e.Tag.Group == 0x0000 && !e.Tag.IsGroupLength)
            {
                int padded = e.Length + (e.Length & 1);
                BinaryPrimitives.WriteUInt16LittleEndian(s[at..], e.Tag.Group);
                BinaryPrimitives.WriteUInt16LittleEndian(s[(at + 2)..], e.Tag.Element);
                BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], (uint)padded);
                e.Value.Span.CopyTo(s[(at + 8)..]);
                if (padded != e.Length)
                {
                    s[at + 8 + e.Length] = e.VR.PaddingByte;
                }

                at += 8 + padded;
            }
        }

        return result;
    }

    /// <summary>Decodes a command set received from a peer.</summary>
    /// <exception cref="DicomFormatException">The bytes are not a well-formed implicit VR little endian group 0000.</exception>
    public static async ValueTask<DimseCommand> DecodeAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var options = new DicomReaderOptions { MaxDepth = 1, MaxValueLength = MaxEncodedLength, MaxElements = 1024, MaxTotalValueBytes = MaxEncodedLength };
        await using var reader = new DicomStreamReader(new MemoryStream(bytes.ToArray(), writable: false), DicomEncoding.ImplicitLittleEndian, options);
        DicomDataset dataset = await DicomDatasetReader.ReadAsync(reader, cancellationToken).ConfigureAwait(false);

        // PS3.7 6.3.1: a command set is group 0000 only. DCMTK-based SCPs put a response's status detail into it as
        // well: Orthanc 1.10 answers a C-GET whose sub-operation failed with (0008,0000) and (0008,0058) Failed SOP
        // Instance UID List after the command elements. Those are dropped from a response; a request is refused.
        bool isResponse = dataset.GetInt32(DicomTags.CommandField) is int field && (field & 0x8000) != 0;
        foreach (DicomItem item in dataset.ToList())
        {
            if (item.Tag.Group != 0x0000)
            {
                if (!isResponse)
                {
                    throw new DicomFormatException(DicomFormatError.InvalidValue, 0, item.Tag, "a command set holds an element outside group 0000");
                }

                dataset.Remove(item.Tag);
            }
        }

        if (!dataset.Contains(DicomTags.CommandField))
        {
            throw new DicomFormatException(DicomFormatError.InvalidValue, 0, DicomTags.CommandField, "the command set has no Command Field");
        }

        return new DimseCommand(dataset);
    }

    /// <inheritdoc />
    public override string ToString() =>
        IsResponse
            ? $"{CommandField} to {MessageIdBeingRespondedTo} status {Status}"
            : $"{CommandField} id {MessageId} {AffectedSopClassUid}";

    private void SetUid(DicomTag tag, string? value) => SetText(tag, DicomVR.UI, value);

    private void SetText(DicomTag tag, DicomVR vr, string? value)
    {
        if (value is not null)
        {
            Dataset.SetString(tag, vr, value);
        }
    }

    private void SetCount(DicomTag tag, ushort? value)
    {
        if (value is ushort v)
        {
            Dataset.SetUInt16(tag, v);
        }
    }
}
