using System.Buffers.Binary;
using System.Text;
using Gateway.Dicom.Model;
using Gateway.Dicom.Network.Dimse;

namespace Gateway.Dicom.Network.Tests.Dimse;

/// <summary>Command sets are implicit VR little endian, group length first, elements in tag order, values padded to even length (PS3.7 6.3.1, E.1).</summary>
public sealed class DimseCommandTests
{
    [Fact]
    public void Encode_EchoRequest_MatchesStandardBytes()
    {
        var command = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CEchoRequest,
            MessageId = 1,
            AffectedSopClassUid = "1.2.840.10008.1.1",
            HasDataSet = false,
        };

        byte[] elements = new Le()
            .Element(0x0002, Encoding.ASCII.GetBytes("1.2.840.10008.1.1\0")) // 17 characters: padded with NUL to 18
            .Element(0x0100, Le.U16Value(0x0030))
            .Element(0x0110, Le.U16Value(1))
            .Element(0x0800, Le.U16Value(0x0101))
            .ToArray();
        byte[] expected = [.. new Le().Element(0x0000, Le.U32Value((uint)elements.Length)).ToArray(), .. elements];

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(command.Encode()));
        Assert.Equal("00000000" + "04000000" + "38000000", Convert.ToHexString(expected, 0, 12));
    }

    [Fact]
    public void Encode_StoreRequest_MatchesStandardBytes()
    {
        var command = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CStoreRequest,
            MessageId = 7,
            AffectedSopClassUid = "1.2.840.10008.5.1.4.1.1.2",
            AffectedSopInstanceUid = "1.2.3.4",
            Priority = DimsePriority.Medium,
            HasDataSet = true,
            MoveOriginatorAETitle = "MOVER",
            MoveOriginatorMessageId = 9,
        };

        byte[] elements = new Le()
            .Element(0x0002, Encoding.ASCII.GetBytes("1.2.840.10008.5.1.4.1.1.2\0"))
            .Element(0x0100, Le.U16Value(0x0001))
            .Element(0x0110, Le.U16Value(7))
            .Element(0x0700, Le.U16Value(0))
            .Element(0x0800, Le.U16Value(0x0001))
            .Element(0x1000, Encoding.ASCII.GetBytes("1.2.3.4\0"))
            .Element(0x1030, Encoding.ASCII.GetBytes("MOVER ")) // AE: padded with a space
            .Element(0x1031, Le.U16Value(9))
            .ToArray();
        byte[] expected = [.. new Le().Element(0x0000, Le.U32Value((uint)elements.Length)).ToArray(), .. elements];

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(command.Encode()));
    }

    [Fact]
    public async Task DecodeAsync_StandardBytes_ReadsEveryField()
    {
        byte[] elements = new Le()
            .Element(0x0002, Encoding.ASCII.GetBytes("1.2.840.10008.5.1.4.1.2.2.1\0"))
            .Element(0x0100, Le.U16Value(0x8020))
            .Element(0x0120, Le.U16Value(513))
            .Element(0x0800, Le.U16Value(0xFEFE))
            .Element(0x0900, Le.U16Value(0xFF00))
            .Element(0x1020, Le.U16Value(4))
            .Element(0x1021, Le.U16Value(5))
            .Element(0x1022, Le.U16Value(6))
            .Element(0x1023, Le.U16Value(7))
            .Element(0x5010, Encoding.ASCII.GetBytes("KEPT")) // a retired element we do not model
            .ToArray();
        byte[] bytes = [.. new Le().Element(0x0000, Le.U32Value((uint)elements.Length)).ToArray(), .. elements];

        DimseCommand command = await DimseCommand.DecodeAsync(bytes);

        Assert.Equal(DimseCommandField.CFindResponse, command.CommandField);
        Assert.True(command.IsResponse);
        Assert.Equal(513, command.MessageIdBeingRespondedTo);
        Assert.Equal("1.2.840.10008.5.1.4.1.2.2.1", command.AffectedSopClassUid);
        Assert.True(command.HasDataSet); // any value but 0101H means a data set follows
        Assert.Equal(DimseStatus.Pending, command.Status);
        Assert.Equal((ushort)4, command.RemainingSubOperations);
        Assert.Equal((ushort)5, command.CompletedSubOperations);
        Assert.Equal((ushort)6, command.FailedSubOperations);
        Assert.Equal((ushort)7, command.WarningSubOperations);
        Assert.True(command.Dataset.Contains(new DicomTag(0x0000, 0x5010)));
    }

    [Fact]
    public async Task EncodeThenDecode_RoundTrips()
    {
        var command = new DimseCommand(new DicomDataset())
        {
            CommandField = DimseCommandField.CMoveRequest,
            MessageId = 65535,
            AffectedSopClassUid = "1.2.840.10008.5.1.4.1.2.2.2",
            Priority = DimsePriority.High,
            HasDataSet = true,
            MoveDestination = "DEST",
        };

        DimseCommand decoded = await DimseCommand.DecodeAsync(command.Encode());

        Assert.Equal(DimseCommandField.CMoveRequest, decoded.CommandField);
        Assert.Equal(65535, decoded.MessageId);
        Assert.Equal(DimsePriority.High, decoded.Priority);
        Assert.Equal("DEST", decoded.MoveDestination);
        Assert.True(decoded.HasDataSet);
        Assert.False(decoded.IsResponse);
    }

    [Fact]
    public async Task DecodeAsync_ElementOutsideGroup0000_Throws()
    {
        byte[] bytes = new Le().Element(0x0100, Le.U16Value(0x0030)).ToArray();
        bytes = [.. bytes, .. new Le().Tag(0x0008, 0x0016).U32(2).U16(0).ToArray()];

        await Assert.ThrowsAsync<DicomFormatException>(async () => await DimseCommand.DecodeAsync(bytes));
    }

    [Fact]
    public async Task DecodeAsync_ResponseWithDcmtkStatusDetail_DropsTheElementsOutsideGroup0000()
    {
        // What Orthanc 1.10 sends for a C-GET whose sub-operation failed: the command, then (0008,0000) and
        // (0008,0058) Failed SOP Instance UID List in the same command set.
        byte[] uid = "1.2.3.4\0"u8.ToArray();
        byte[] bytes = new Le().Element(0x0100, Le.U16Value(0x8010)).Element(0x0120, Le.U16Value(7)).Element(0x0800, Le.U16Value(0x0101))
            .Element(0x0900, Le.U16Value(0xFF00)).Element(0x1021, Le.U16Value(0)).Element(0x1022, Le.U16Value(1)).ToArray();
        bytes = [.. bytes, .. new Le().Tag(0x0008, 0x0000).U32(4).U32((uint)(8 + uid.Length)).Tag(0x0008, 0x0058).U32((uint)uid.Length).ToArray(), .. uid];

        DimseCommand command = await DimseCommand.DecodeAsync(bytes);

        Assert.Equal(DimseCommandField.CGetResponse, command.CommandField);
        Assert.Equal((ushort)7, command.MessageIdBeingRespondedTo);
        Assert.Equal(DimseStatus.Pending, command.Status);
        Assert.Equal((ushort)1, command.FailedSubOperations);
        Assert.False(command.HasDataSet);
        Assert.All(command.Dataset, item => Assert.Equal(0x0000, item.Tag.Group));
    }

    [Fact]
    public async Task DecodeAsync_NoCommandField_Throws()
    {
        byte[] bytes = new Le().Element(0x0110, Le.U16Value(1)).ToArray();

        await Assert.ThrowsAsync<DicomFormatException>(async () => await DimseCommand.DecodeAsync(bytes));
    }

    [Fact]
    public async Task DecodeAsync_ValueLengthPastEnd_Throws()
    {
        byte[] bytes = new Le().Tag(0x0000, 0x0100).U32(200).U16(0x0030).ToArray();

        await Assert.ThrowsAsync<DicomFormatException>(async () => await DimseCommand.DecodeAsync(bytes));
    }

    [Theory]
    [InlineData(0x0000, DimseStatusCategory.Success)]
    [InlineData(0xFF00, DimseStatusCategory.Pending)]
    [InlineData(0xFF01, DimseStatusCategory.Pending)]
    [InlineData(0xFE00, DimseStatusCategory.Cancel)]
    [InlineData(0xB000, DimseStatusCategory.Warning)]
    [InlineData(0x0107, DimseStatusCategory.Warning)]
    [InlineData(0xA700, DimseStatusCategory.Failure)]
    [InlineData(0x0211, DimseStatusCategory.Failure)]
    [InlineData(0xC000, DimseStatusCategory.Failure)]
    public void DimseStatus_Category_FollowsPS37AnnexC(ushort code, DimseStatusCategory category) =>
        Assert.Equal(category, new DimseStatus(code).Category);

    /// <summary>Implicit VR little endian, by hand: tag, 32-bit length, value.</summary>
    private sealed class Le
    {
        private readonly List<byte> _bytes = [];

        public static byte[] U16Value(ushort v)
        {
            byte[] b = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            return b;
        }

        public static byte[] U32Value(uint v)
        {
            byte[] b = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            return b;
        }

        public Le Tag(ushort group, ushort element) => U16(group).U16(element);

        public Le U16(ushort v)
        {
            _bytes.AddRange(U16Value(v));
            return this;
        }

        public Le U32(uint v)
        {
            _bytes.AddRange(U32Value(v));
            return this;
        }

        public Le Element(ushort element, byte[] value)
        {
            Tag(0x0000, element).U32((uint)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        public byte[] ToArray() => [.. _bytes];
    }
}
