using System.Collections.Concurrent;

namespace Gateway.Dicom.Interop.Tests.Support;

/// <summary>
/// The input files, built with DCMTK from the committed dumps in a temporary directory on first use, and DCMTK's views
/// of files (dcm2json output, dcmconv conversions), each computed once and shared by all tests.
/// </summary>
internal sealed class InteropCorpus
{
    private static readonly Lock Gate = new();
    private static InteropCorpus? _current;
    private static int _users;

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _json = new(StringComparer.Ordinal);

    private InteropCorpus()
    {
        Root = Directory.CreateTempSubdirectory("gateway-interop-").FullName;
        Directory.CreateDirectory(Path.Combine(Root, "work"));
    }

    /// <summary>
    /// The corpus shared by the test classes that run at the same time; <see cref="Release"/> once per call. The last
    /// release deletes its directory (the test host may be killed right after the run, before any exit handler is done).
    /// </summary>
    public static InteropCorpus Acquire()
    {
        lock (Gate)
        {
            _users++;
            return _current ??= new InteropCorpus();
        }
    }

    /// <summary>Ends one <see cref="Acquire"/>.</summary>
    public static void Release()
    {
        InteropCorpus? done = null;
        lock (Gate)
        {
            if (--_users == 0)
            {
                done = _current;
                _current = null;
            }
        }

        done?.DeleteRoot();
    }

    /// <summary>The temporary directory that holds every file of this run.</summary>
    public string Root { get; }

    /// <summary>The directory of the committed dumps, copied next to the test assembly.</summary>
    public static string InputsDirectory => Path.Combine(AppContext.BaseDirectory, "Inputs");

    /// <summary>A fresh path under <see cref="Root"/> for a file a test writes.</summary>
    public string NewPath(string hint) => Path.Combine(Root, "work", $"{Sanitize(hint)}-{Guid.NewGuid():N}.dcm");

    /// <summary>The file of <paramref name="input"/>, built on first use.</summary>
    public Task<string> GetAsync(InteropInput input) => Once(_files, input.Name, () => BuildAsync(input));

    /// <summary>
    /// DCMTK's own conversion of <paramref name="input"/> to <paramref name="target"/> (to its own transfer syntax when null):
    /// the reference for the gateway's.
    /// </summary>
    /// <remarks>
    /// Written as the gateway writes: sequences and items with undefined length (<c>dcmconv -e</c>) and without group lengths
    /// (<c>-g</c>). The length form matters for private sequences in implicit VR: with an explicit length such a sequence is
    /// read back as UN bytes (its VR is not in the dictionary), with undefined length as a sequence (CP-246).
    /// </remarks>
    public Task<string> GetDcmtkConversionAsync(InteropInput input, TargetSyntax? target) =>
        Once(_files, $"{input.Name}@dcmconv-{target?.Name ?? "same"}", async () =>
        {
            string source = await GetAsync(input).ConfigureAwait(false);
            string path = Path.Combine(Root, $"{Sanitize(input.Name)}.dcmconv-{target?.Name ?? "same"}.dcm");
            (await ExternalTool.RunAsync("dcmconv", "-e", "-g", target?.DcmconvOption ?? "+t=", source, path).ConfigureAwait(false)).EnsureSuccess();
            return path;
        });

    /// <summary>A copy of <paramref name="path"/> without (7FE0,0010), which dcm2json cannot print when it is compressed.</summary>
    public Task<string> GetWithoutPixelDataAsync(string path) =>
        Once(_files, $"{path}@without-pixel-data", async () =>
        {
            string copy = Path.Combine(Root, "work", Path.GetFileNameWithoutExtension(path) + $".no-pixel-data-{Guid.NewGuid():N}.dcm");
            File.Copy(path, copy);
            (await ExternalTool.RunAsync("dcmodify", "-nb", "-ea", "(7fe0,0010)", copy).ConfigureAwait(false)).EnsureSuccess();
            return copy;
        });

    /// <summary>dcm2json's output for <paramref name="path"/> (computed once per path).</summary>
    public Task<string> GetDcm2JsonAsync(string path) =>
        Once(_json, path, async () =>
        {
            ToolResult result = (await ExternalTool.RunAsync("dcm2json", path).ConfigureAwait(false)).EnsureSuccess();
            return result.StandardOutput;
        });

    private static Task<string> Once(ConcurrentDictionary<string, Lazy<Task<string>>> cache, string key, Func<Task<string>> create) =>
        cache.GetOrAdd(key, _ => new Lazy<Task<string>>(create, LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private async Task<string> BuildAsync(InteropInput input)
    {
        string path = Path.Combine(Root, Sanitize(input.Name) + ".dcm");
        if (input.Recipe is not { } recipe)
        {
            string dump = Path.Combine(InputsDirectory, input.Dump + ".dump");
            ToolResult built = (await ExternalTool.RunAsync("dump2dcm", "+te", dump, path).ConfigureAwait(false)).EnsureSuccess();
            if (built.DiagnosticLines.Count > 0)
            {
                throw new InvalidOperationException($"`{built.CommandLine}` reported problems with the dump:{Environment.NewLine}{built.StandardError}");
            }

            return path;
        }

        string source = await GetAsync(input with { Variant = InteropInput.ExplicitLE }).ConfigureAwait(false);
        (await ExternalTool.RunAsync(recipe.Program, [.. recipe.Options, source, path]).ConfigureAwait(false)).EnsureSuccess();
        return path;
    }

    private static string Sanitize(string name) => name.Replace('/', '.').Replace('@', '.');

    private void DeleteRoot()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the directory is under the system temp directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
