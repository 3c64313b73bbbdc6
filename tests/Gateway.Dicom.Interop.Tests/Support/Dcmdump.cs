namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>dcmdump's view of a file.</summary>
internal static class Dcmdump
{
    private const string DatasetHeader = "# Dicom-Data-Set";

    /// <summary>
    /// Runs <c>dcmdump -Un +L</c> (UIDs as numbers, long values in full) and checks that it read the whole file
    /// without complaint: exit code 0 and no fatal, error or warning line, except those <paramref name="tolerated"/> accepts.
    /// </summary>
    public static async Task<string> ReadCleanlyAsync(string path, Func<string, bool>? tolerated = null)
    {
        ToolResult result = await ExternalTool.RunAsync("dcmdump", "-Un", "+L", path);
        Assert.True(result.ExitCode == 0, $"`{result.CommandLine}` exited with {result.ExitCode}:{Environment.NewLine}{result.StandardError}");
        string[] complaints = [.. result.DiagnosticLines.Where(l => tolerated is null || !tolerated(l))];
        Assert.True(complaints.Length == 0, $"`{result.CommandLine}` complained:{Environment.NewLine}{string.Join(Environment.NewLine, complaints)}");
        string listing = result.StandardOutput;
        Assert.Contains(DatasetHeader, listing, StringComparison.Ordinal);
        return listing;
    }

    /// <summary>The part of a listing from "# Dicom-Data-Set" on: the data set and its transfer syntax, without the meta header.</summary>
    public static string DatasetPart(string listing) => listing[listing.IndexOf(DatasetHeader, StringComparison.Ordinal)..];

    /// <summary>The value, without brackets, of a top-level element of a listing, such as (0002,0010) of the meta header.</summary>
    public static string? ValueOf(string listing, string tag) =>
        DumpLine.Parse(listing).FirstOrDefault(l => l.Depth == 0 && l.Tag == tag)?.Value.Trim('[', ']');
}
