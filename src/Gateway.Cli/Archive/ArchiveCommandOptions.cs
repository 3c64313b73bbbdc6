using System.CommandLine;
using Gateway.Archive;

namespace Gateway.Cli.Archive;

/// <summary>The options the archive commands share: where the data directory and the keys are.</summary>
internal sealed class ArchiveCommandOptions
{
    public const string DefaultDataDirectory = "data";

    public Option<string> Data { get; } = new("--data")
    {
        Description = $"The gateway's data directory, which holds archive/ and keys/ (default ./{DefaultDataDirectory}).",
        DefaultValueFactory = _ => DefaultDataDirectory,
    };

    public Option<string?> KeyDirectory { get; } = new("--key-dir")
    {
        Description = $"The key directory (default DATA/keys). Keys given in {ArchiveOptions.KekEnvironmentVariable} and {ArchiveOptions.IndexKeyEnvironmentVariable} take precedence.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(KeyDirectory);
    }

    /// <summary>The archive options for the parsed command line, with the key secrets from the environment when set.</summary>
    public ArchiveOptions Options(ParseResult result) => ArchiveOptions.FromEnvironment(result.GetValue(Data)!) with
    {
        KeyDirectory = result.GetValue(KeyDirectory),
        CreateIfMissing = false,

        // Operators' commands never refuse for lack of space: they free it or only read.
        MinimumFreeBytes = 0,
    };
}
