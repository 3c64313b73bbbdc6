namespace Gateway.Segmentation.Tests.Support;

/// <summary>Files of this repository the tests check the documentation against.</summary>
internal static class RepositoryFiles
{
    /// <summary>The repository root: the nearest directory above the test binaries holding <c>Gateway.sln</c>.</summary>
    public static string Root
    {
        get
        {
            for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"no Gateway.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>
    /// The nftables ruleset of SECURITY.md's hardening checklist (the <c>table inet dicom-gateway</c> block), with its
    /// example VLAN interface name replaced by <paramref name="vlanInterface"/>.
    /// </summary>
    public static string SecurityMdFirewall(string vlanInterface)
    {
        string text = File.ReadAllText(Path.Combine(Root, "SECURITY.md"));
        int start = text.IndexOf("table inet dicom-gateway {", StringComparison.Ordinal);
        Assert.True(start >= 0, "SECURITY.md has no `table inet dicom-gateway` block");
        int end = text.IndexOf("```", start, StringComparison.Ordinal);
        Assert.True(end > start, "SECURITY.md's firewall block is not closed");
        return text[start..end].Replace("\"vlan0\"", $"\"{vlanInterface}\"", StringComparison.Ordinal);
    }
}
