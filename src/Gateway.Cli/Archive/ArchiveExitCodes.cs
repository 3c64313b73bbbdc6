namespace Gateway.Cli.Archive;

/// <summary>The exit codes of the archive commands beyond <see cref="ExitCodes"/>.</summary>
internal static class ArchiveExitCodes
{
    /// <summary><c>keys status</c>: rows use a key version that is not at hand (those objects cannot be read).</summary>
    public const int KeysMissing = 4;

    /// <summary>The command needs the archive to itself, and a running gateway (or another command) has it open.</summary>
    public const int InUse = 5;
}
