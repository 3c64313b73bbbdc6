namespace Gateway.Dicom.Tests;

public sealed class DicomFormatExceptionTests
{
    [Fact]
    public void Message_WithTag_NamesReasonOffsetAndTag()
    {
        var ex = new DicomFormatException(DicomFormatError.OddLength, 0x1F4, DicomTags.PatientName, "value length 3 is odd");

        Assert.Equal("value length 3 is odd (OddLength) at offset 500 (0x1F4), tag (0010,0010)", ex.Message);
        Assert.Equal((DicomFormatError.OddLength, 500L, DicomTags.PatientName, "value length 3 is odd"), (ex.Reason, ex.Offset, ex.Tag, ex.Detail));
    }

    [Fact]
    public void Message_WithoutTag_OmitsIt()
    {
        var inner = new InvalidDataException("bad block");
        var ex = new DicomFormatException(DicomFormatError.InvalidDeflateStream, 0, null, "corrupt", inner);

        Assert.Equal("corrupt (InvalidDeflateStream) at offset 0 (0x0)", ex.Message);
        Assert.Same(inner, ex.InnerException);
        Assert.Null(ex.Tag);
    }
}
