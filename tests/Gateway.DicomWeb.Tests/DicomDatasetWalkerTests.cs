using Gateway.Dicom;
using Gateway.Dicom.Model;

namespace Gateway.DicomWeb.Tests;

public sealed class DicomDatasetWalkerTests
{
    [Fact]
    public void Next_NestedSequences_GivesEventsInOrderWithPaths()
    {
        var inner = new DicomDataset().SetString(DicomTags.CodeValue, DicomVR.SH, "X");
        var item = new DicomDataset();
        item.Set(new DicomSequence(DicomTags.ConceptNameCodeSequence, [inner]));
        var ds = new DicomDataset().SetString(DicomTags.PatientID, DicomVR.LO, "P");
        ds.Set(new DicomSequence(new DicomTag(0x0040, 0xA730), [new DicomDataset(), item]));
        ds.Set(new DicomElement(new DicomTag(0x0010, 0x0000), DicomVR.UL, new byte[4]));
        ds.Set(new DicomSequence(DicomTags.ReferencedImageSequence, []));
        var walker = new DicomDatasetWalker(ds);
        var events = new List<string>();

        while (walker.Next())
        {
            events.Add($"{walker.Event} {walker.Path}");
        }

        Assert.Equal(
        [
            "SequenceStart 00081140",
            "SequenceEnd 00081140",
            "Leaf 00100020",
            "SequenceStart 0040A730",
            "ItemStart 0040A730/0",
            "ItemEnd 0040A730/0",
            "ItemStart 0040A730/1",
            "SequenceStart 0040A730/1/0040A043",
            "ItemStart 0040A730/1/0040A043/0",
            "Leaf 0040A730/1/0040A043/0/00080100",
            "ItemEnd 0040A730/1/0040A043/0",
            "SequenceEnd 0040A730/1/0040A043",
            "ItemEnd 0040A730/1",
            "SequenceEnd 0040A730",
        ],
        events);
    }
}
