using Gateway.Dicom.IO;

namespace Gateway.Dicom.Tests.IO;

public sealed class DicomByteOrderTests
{
    [Theory]
    [InlineData(1, "0102030405060708", "0102030405060708")]
    [InlineData(2, "0102030405060708", "0201040306050807")]
    [InlineData(4, "0102030405060708", "0403020108070605")]
    [InlineData(8, "0102030405060708", "0807060504030201")]
    [InlineData(4, "010203040506", "040302010506")]
    public void Swap_Unit_ReversesEachWholeUnit(int unit, string input, string expected)
    {
        byte[] data = Convert.FromHexString(input);

        DicomByteOrder.Swap(data, unit);

        Assert.Equal(expected, Convert.ToHexString(data));
    }

    [Fact]
    public void Swap_UnsupportedUnit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DicomByteOrder.Swap(new byte[6], 3));
    }
}
