namespace Gateway.Dicom.Network.Interop.Tests.Support;

/// <summary>
/// Makes sure the DCMTK network tools are installed before any interop test runs. Without them every test of the class
/// fails with one clear message; none is skipped.
/// </summary>
public sealed class DcmtkFixture
{
    private static readonly string[] Tools =
    [
        "echoscu", "storescu", "storescp", "findscu", "movescu", "getscu", "dcmdump", "dcmqrscp", "wlmscpfs", "dump2dcm", "dcmconv", "dcmcjpeg", "dcmcjpls", "dcmcrle",
    ];

    private static readonly Lazy<string> Check = new(CheckTools, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Checks for every tool; throws when one is missing.</summary>
    public DcmtkFixture()
    {
        Version = Check.Value;
    }

    /// <summary>The first line of <c>findscu --version</c>.</summary>
    public string Version { get; }

    private static string CheckTools()
    {
        string version = string.Empty;
        foreach (string tool in Tools)
        {
            ToolResult result;
            try
            {
                result = ExternalTool.RunAsync(tool, "--version").GetAwaiter().GetResult();
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException(
                    $"The interop tests need DCMTK's {string.Join(", ", Tools)} on PATH; install it with `apt-get install dcmtk`. {ex.Message}", ex);
            }

            if (result.ExitCode != 0 || !result.StandardOutput.Contains(tool, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"`{tool} --version` did not identify DCMTK: {result}");
            }

            version = version.Length == 0 ? result.StandardOutput.Split('\n')[0].Trim() : version;
        }

        return version;
    }
}
