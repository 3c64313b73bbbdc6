namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>
/// Makes sure DCMTK is installed before any interop test runs, and hands out the shared <see cref="InteropCorpus"/>.
/// Without DCMTK every test of the class fails with one clear message; none is skipped.
/// </summary>
public sealed class DcmtkFixture : IDisposable
{
    /// <summary>The DCMTK release these tests were written against; another one may print JSON differently.</summary>
    public const string ExpectedVersion = "3.6.7";

    private static readonly Lazy<string> VersionLine = new(ReadVersion, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Checks for DCMTK; throws when it is missing.</summary>
    public DcmtkFixture()
    {
        Version = VersionLine.Value;
        Corpus = InteropCorpus.Acquire();
    }

    /// <summary>The first line of <c>dcmdump --version</c>.</summary>
    public string Version { get; }

    internal InteropCorpus Corpus { get; }

    /// <inheritdoc />
    public void Dispose() => InteropCorpus.Release();

    private static string ReadVersion()
    {
        ToolResult result;
        try
        {
            result = ExternalTool.RunAsync("dcmdump", "--version").GetAwaiter().GetResult();
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                "The DCMTK interop tests need DCMTK " + ExpectedVersion + " (dcmdump, dump2dcm, dcmconv, dcm2json, dcmodify, dcmcjpeg, dcmdjpeg, " +
                "dcmcjpls, dcmdjpls, dcmcrle, dcmdrle) on PATH; install it with `apt-get install dcmtk`. " + ex.Message,
                ex);
        }

        string first = result.StandardOutput.Split('\n')[0].Trim();
        if (result.ExitCode != 0 || !first.Contains("dcmdump", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"`dcmdump --version` did not identify DCMTK (exit {result.ExitCode}): {first} {result.StandardError}");
        }

        return first;
    }
}
