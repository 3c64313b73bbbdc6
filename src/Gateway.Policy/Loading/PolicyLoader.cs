using System.Text;
using Gateway.Policy.Model;

namespace Gateway.Policy.Loading;

/// <summary>
/// Loads a policy from the <c>*.yaml</c> files of one directory (not its subdirectories), in ordinal file name order.
/// Every file is read and checked; every error is reported with file, line and column; the model is returned only when
/// there is none.
/// </summary>
/// <remarks>
/// Limits (<see cref="PolicyLoadLimits"/>) are checked before allocating: the number of files, each file's size and
/// the total are checked from the directory listing and again while reading (a file that grows is cut at the limit),
/// and the YAML parser refuses anchors and aliases (alias bombs), deep nesting and overlong scalars.
/// </remarks>
public static class PolicyLoader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Loads every <c>*.yaml</c> file of a directory.</summary>
    public static PolicyLoadResult LoadDirectory(string directory, PolicyLoadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        limits ??= PolicyLoadLimits.Default;
        var diagnostics = new List<PolicyDiagnostic>();
        string[] files;
        try
        {
            if (!Directory.Exists(directory))
            {
                return Unreadable($"policy directory '{directory}' does not exist");
            }

            files = [.. Directory.EnumerateFiles(directory, "*", SearchOption.TopDirectoryOnly)
                .Where(f => Path.GetExtension(f) is ".yaml" && !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Unreadable($"cannot list policy directory '{directory}': {ex.Message}");
        }

        if (files.Length > limits.MaxFiles)
        {
            diagnostics.Add(PolicyDiagnostic.Error("limit-files", $"'{directory}' holds {files.Length} policy files; the limit is {limits.MaxFiles}", null));
            return new PolicyLoadResult { Diagnostics = diagnostics };
        }

        var sources = new List<PolicySource>(files.Length);
        long total = 0;
        bool unreadable = false;
        foreach (string file in files)
        {
            try
            {
                byte[]? bytes = ReadBounded(file, limits.MaxFileBytes);
                if (bytes is null)
                {
                    diagnostics.Add(PolicyDiagnostic.Error("limit-file-size", $"the file is larger than {PolicyValues.FormatSize(limits.MaxFileBytes)}, the limit", new SourceLocation(file, 1, 1)));
                    continue;
                }

                total += bytes.Length;
                if (total > limits.MaxTotalBytes)
                {
                    diagnostics.Add(PolicyDiagnostic.Error("limit-total-size", $"the policy files together are larger than {PolicyValues.FormatSize(limits.MaxTotalBytes)}, the limit", new SourceLocation(file, 1, 1)));
                    break;
                }

                string text;
                try
                {
                    text = StrictUtf8.GetString(bytes);
                }
                catch (DecoderFallbackException ex)
                {
                    diagnostics.Add(PolicyDiagnostic.Error("encoding", $"the file is not valid UTF-8 (byte {ex.Index})", new SourceLocation(file, 1, 1)));
                    continue;
                }

                sources.Add(new PolicySource(file, text.StartsWith('\uFEFF') ? text[1..] : text));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                unreadable = true;
                diagnostics.Add(PolicyDiagnostic.Error("io", $"cannot read the file: {ex.Message}", new SourceLocation(file, 1, 1)));
            }
        }

        PolicyLoadResult result = Load(sources, limits, diagnostics);
        return result with { IsUnreadable = unreadable };
    }

    /// <summary>Loads a policy from texts (tests, the admin API); names are used in diagnostics and ordered as given.</summary>
    public static PolicyLoadResult Load(IEnumerable<PolicySource> sources, PolicyLoadLimits? limits = null) =>
        Load(sources, limits ?? PolicyLoadLimits.Default, []);

    private static PolicyLoadResult Load(IEnumerable<PolicySource> sources, PolicyLoadLimits limits, List<PolicyDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var reader = new PolicyDocumentReader(diagnostics);
        var files = new List<string>();
        foreach (PolicySource source in sources)
        {
            files.Add(source.Name);
            if (source.Text.Length > limits.MaxFileBytes)
            {
                diagnostics.Add(PolicyDiagnostic.Error("limit-file-size", $"the file is larger than {PolicyValues.FormatSize(limits.MaxFileBytes)}, the limit", new SourceLocation(source.Name, 1, 1)));
                continue;
            }

            YamlNode? root = PolicyYamlParser.Parse(source.Name, source.Text, limits, diagnostics);
            if (root is not null && !root.IsNull)
            {
                reader.Read(root);
            }
        }

        var model = new PolicyModel
        {
            Mode = reader.Mode?.Mode ?? PolicyMode.Enforce,
            TimeZone = reader.TimeZone?.TimeZone ?? "UTC",
            Zones = reader.Zones,
            Peers = reader.Peers,
            Services = reader.Services,
            SopClassSets = reader.SopClassSets,
            Flows = reader.Flows,
            Roles = reader.Roles,
            Clients = reader.Clients,
            Users = reader.Users,
            Files = files,
        };
        PolicyModelValidator.Validate(model, diagnostics);
        IReadOnlyList<PolicyDiagnostic> ordered = Order(diagnostics, files, limits.MaxErrors);
        return new PolicyLoadResult
        {
            Model = ordered.Any(x => x.IsError) ? null : model,
            Diagnostics = ordered,
            Files = files,
        };
    }

    private static List<PolicyDiagnostic> Order(List<PolicyDiagnostic> diagnostics, List<string> files, int maxErrors)
    {
        List<PolicyDiagnostic> ordered = [.. diagnostics
            .OrderBy(x => x.Location is null ? -1 : Math.Max(files.IndexOf(x.Location.Value.File), 0))
            .ThenBy(x => x.Location?.Line ?? 0)
            .ThenBy(x => x.Location?.Column ?? 0)];
        if (ordered.Count > maxErrors)
        {
            int more = ordered.Count - maxErrors;
            ordered.RemoveRange(maxErrors, more);
            ordered.Add(PolicyDiagnostic.Error("limit-errors", $"{more} more errors not shown", null));
        }

        return ordered;
    }

    // Reads at most limit + 1 bytes: the length in the listing is not trusted (the file may grow, or be a device).
    private static byte[]? ReadBounded(string path, long limit)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > limit)
        {
            return null;
        }

        var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static PolicyLoadResult Unreadable(string message) => new()
    {
        Diagnostics = [PolicyDiagnostic.Error("io", message, null)],
        IsUnreadable = true,
    };
}
