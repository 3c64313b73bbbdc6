using System.Security.Cryptography;

namespace Gateway.Archive.Tests;

/// <summary>Sets process environment variables: runs alone (the CLI tests read the same variables).</summary>
[Collection(SerialCollection.Name)]
public sealed class ArchiveOptionsTests
{
    [Fact]
    public void FromEnvironment_ReadsTheDocumentedVariables()
    {
        string k = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Environment.SetEnvironmentVariable(ArchiveOptions.KekEnvironmentVariable, "1:" + k);
        Environment.SetEnvironmentVariable(ArchiveOptions.IndexKeyEnvironmentVariable, k);
        try
        {
            ArchiveOptions options = ArchiveOptions.FromEnvironment("/data");
            Assert.Equal("1:" + k, options.KekSecret);
            Assert.Equal(k, options.IndexKeySecret);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ArchiveOptions.KekEnvironmentVariable, null);
            Environment.SetEnvironmentVariable(ArchiveOptions.IndexKeyEnvironmentVariable, null);
        }
    }
}
