namespace Gateway.Dicom.Tests;

public sealed class DicomUidsTests
{
    [Fact]
    public void Find_CTImageStorage_IsStorageSopClass()
    {
        DicomUidInfo? info = DicomUids.Find("1.2.840.10008.5.1.4.1.1.2");

        Assert.NotNull(info);
        Assert.Equal("CTImageStorage", info.Keyword);
        Assert.Equal(DicomUidType.SopClass, info.Type);
        Assert.True(info.IsStorage);
        Assert.False(info.IsRetired);
        Assert.Equal(DicomUids.CTImageStorage, info.Uid);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.1.99")]
    [InlineData("1.2.840.10008.1.2.4.50")]
    [InlineData("1.2.840.10008.1.2.5")]
    public void Find_TransferSyntax_IsTransferSyntaxAndNotStorage(string uid)
    {
        DicomUidInfo? info = DicomUids.Find(uid);

        Assert.NotNull(info);
        Assert.Equal(DicomUidType.TransferSyntax, info.Type);
        Assert.False(info.IsStorage);
    }

    [Fact]
    public void Find_VerificationAndQueryRetrieve_AreSopClassesButNotStorage()
    {
        Assert.False(DicomUids.Find(DicomUids.Verification.Value)!.IsStorage);
        Assert.Equal(DicomUidType.SopClass, DicomUids.Find(DicomUids.Verification.Value)!.Type);
        Assert.False(DicomUids.Find("1.2.840.10008.5.1.4.1.2.2.1")!.IsStorage);
    }

    [Fact]
    public void Find_RetiredBigEndian_IsRetired()
    {
        Assert.True(DicomUids.Find("1.2.840.10008.1.2.2")!.IsRetired);
    }

    [Fact]
    public void Find_PaddedUid_IgnoresPadding()
    {
        Assert.Equal("CTImageStorage", DicomUids.Find("1.2.840.10008.5.1.4.1.1.2\0")!.Keyword);
        Assert.Equal("CTImageStorage", DicomUids.Find("1.2.840.10008.5.1.4.1.1.2 ")!.Keyword);
    }

    [Fact]
    public void Find_Unregistered_ReturnsNull()
    {
        Assert.Null(DicomUids.Find("1.2.3.4"));
    }

    [Fact]
    public void All_Registry_HoldsValidDistinctUids()
    {
        var all = DicomUids.All.ToList();

        Assert.True(all.Count > 300);
        Assert.All(all, i => Assert.True(i.Uid.IsValid, i.Uid.Value));
        Assert.Equal(all.Count, all.Select(i => i.Uid.Value).Distinct().Count());
    }
}
