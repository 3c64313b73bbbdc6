namespace Gateway.Policy.Tests.Support;

/// <summary>
/// Compares output with a file under Golden/. Set GOLDEN_UPDATE=1 to rewrite the files from the actual output (then
/// review the diff before committing).
/// </summary>
internal static class Golden
{
    public static void AssertMatches(string name, string actual)
    {
        string path = Path.Combine(Policies.RepositoryRoot, "tests", "Gateway.Policy.Tests", "Golden", name);
        if (Environment.GetEnvironmentVariable("GOLDEN_UPDATE") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing (run with GOLDEN_UPDATE=1 to create it)");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}
