using Gateway.Dicom.Interop.Tests.Support;

namespace Gateway.Dicom.Interop.Tests;

/// <summary>A missing or failing tool must fail the test that needs it, with a message that says which and why.</summary>
public sealed class ExternalToolTests
{
    [Fact]
    public async Task RunAsync_ProgramNotInstalled_ThrowsNamingIt()
    {
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ExternalTool.RunAsync("dcmtk-tool-that-does-not-exist", "--version"));

        Assert.Contains("dcmtk-tool-that-does-not-exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureSuccess_NonZeroExit_ThrowsWithTheToolsErrorOutput()
    {
        ToolResult result = await ExternalTool.RunAsync("dcmdump", Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.dcm"));

        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => result.EnsureSuccess());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("dcmdump", ex.Message, StringComparison.Ordinal);
        Assert.Contains(result.StandardError.Trim(), ex.Message, StringComparison.Ordinal);
    }
}
