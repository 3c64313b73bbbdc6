namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>The first place where two JSON documents differ: a JSON path such as <c>$.00400275.Value[0].00080100.Value[0]</c>, and what differs there.</summary>
internal sealed record JsonDifference(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}
