using Gateway.Dicom.Interop.Tests.Support;

namespace Gateway.Dicom.Interop.Tests;

/// <summary>The comparer must find differences, or the interop tests built on it could never fail.</summary>
public sealed class JsonSemanticComparerTests
{
    [Fact]
    public void Compare_SameMeaningDifferentText_IsEqual()
    {
        const string Expected = """{"00280030":{"vr":"DS","Value":[0.5,120]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"A^B"}]}}""";
        const string Actual = """{ "00100010": { "Value": [ { "Alphabetic": "A^B" } ], "vr": "PN" }, "00280030": { "vr": "DS", "Value": [ 5e-1, 1.2e2 ] } }""";

        Assert.Null(JsonSemanticComparer.Compare(Expected, Actual));
    }

    [Fact]
    public void Compare_DifferentNestedValue_ReportsItsPath()
    {
        const string Expected = """{"00400275":{"vr":"SQ","Value":[{"00400008":{"vr":"SQ","Value":[{"00080100":{"vr":"SH","Value":["A"]}}]}}]}}""";
        const string Actual = """{"00400275":{"vr":"SQ","Value":[{"00400008":{"vr":"SQ","Value":[{"00080100":{"vr":"SH","Value":["B"]}}]}}]}}""";

        JsonDifference? difference = JsonSemanticComparer.Compare(Expected, Actual);

        Assert.NotNull(difference);
        Assert.Equal("$.00400275.Value[0].00400008.Value[0].00080100.Value[0]", difference.Path);
    }

    [Fact]
    public void Compare_MissingAndExtraKeys_AreReported()
    {
        Assert.Equal("$.00100020", JsonSemanticComparer.Compare("""{"00100010":{"vr":"PN"},"00100020":{"vr":"LO"}}""", """{"00100010":{"vr":"PN"}}""")?.Path);
        Assert.Equal("$.00100020", JsonSemanticComparer.Compare("""{"00100010":{"vr":"PN"}}""", """{"00100010":{"vr":"PN"},"00100020":{"vr":"LO"}}""")?.Path);
    }

    [Fact]
    public void Compare_ArrayLengthOrValueKind_Differs_IsReported()
    {
        Assert.Equal("$.00200032.Value", JsonSemanticComparer.Compare("""{"00200032":{"vr":"DS","Value":[1,2,3]}}""", """{"00200032":{"vr":"DS","Value":[1,2]}}""")?.Path);
        Assert.Equal("$.00200013.Value[0]", JsonSemanticComparer.Compare("""{"00200013":{"vr":"IS","Value":[7]}}""", """{"00200013":{"vr":"IS","Value":["7"]}}""")?.Path);
        Assert.Equal("$.00080008.Value[1]", JsonSemanticComparer.Compare("""{"00080008":{"vr":"CS","Value":["A",null]}}""", """{"00080008":{"vr":"CS","Value":["A",""]}}""")?.Path);
    }

    [Fact]
    public void Compare_FloatingPoint_ComparesTheBinaryValue()
    {
        // dcm2json prints FL 0.1f as 0.100000001; the shortest round-trip text is 0.1.
        Assert.Null(JsonSemanticComparer.Compare("""{"00720076":{"vr":"FL","Value":[0.100000001,1.00000002e+20]}}""", """{"00720076":{"vr":"FL","Value":[0.1,1E+20]}}"""));
        Assert.NotNull(JsonSemanticComparer.Compare("""{"00720076":{"vr":"FL","Value":[0.1]}}""", """{"00720076":{"vr":"FL","Value":[0.10000001]}}"""));
        Assert.NotNull(JsonSemanticComparer.Compare("""{"00720074":{"vr":"FD","Value":[0.100000001]}}""", """{"00720074":{"vr":"FD","Value":[0.1]}}"""));
        Assert.Null(JsonSemanticComparer.Compare("""{"00720074":{"vr":"FD","Value":[3.1415926535897931]}}""", """{"00720074":{"vr":"FD","Value":[3.141592653589793]}}"""));
        Assert.NotNull(JsonSemanticComparer.Compare("""{"00720072":{"vr":"DS","Value":[3.1415926535897931]}}""", """{"00720072":{"vr":"DS","Value":[3.141592653589793]}}"""));
    }

    [Fact]
    public void Compare_InlineBinary_ComparesBytesAndReportsTheOffset()
    {
        JsonDifference? difference = JsonSemanticComparer.Compare("""{"7FE00010":{"vr":"OB","InlineBinary":"AAECAw=="}}""", """{"7FE00010":{"vr":"OB","InlineBinary":"AAECBA=="}}""");

        Assert.NotNull(difference);
        Assert.Equal("$.7FE00010.InlineBinary", difference.Path);
        Assert.Contains("offset 3", difference.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_IgnoredTopLevelKey_IsLeftOutOnBothSides()
    {
        Assert.Null(JsonSemanticComparer.Compare("""{"00100010":{"vr":"PN"}}""", """{"00100010":{"vr":"PN"},"7FE00010":{"vr":"OB","InlineBinary":"AA=="}}""", ["7FE00010"]));
    }
}
