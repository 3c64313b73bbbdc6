using Gateway.Cli.Dicom;

namespace Gateway.Cli.Tests.Dicom;

/// <summary>The native dicom commands ask for inline socket continuations unless the environment decides.</summary>
public sealed class SocketContinuationsTests
{
    [Theory]
    [InlineData(null, "1")]
    [InlineData("0", "0")]
    [InlineData("1", "1")]
    public void PreferInline_SetsTheSwitchOnlyWhereTheEnvironmentIsSilent(string? before, string expected)
    {
        string? saved = Environment.GetEnvironmentVariable(SocketContinuations.InlineVariable);
        try
        {
            Environment.SetEnvironmentVariable(SocketContinuations.InlineVariable, before);

            SocketContinuations.PreferInline();

            Assert.Equal(expected, Environment.GetEnvironmentVariable(SocketContinuations.InlineVariable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SocketContinuations.InlineVariable, saved);
        }
    }
}
