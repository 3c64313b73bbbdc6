namespace Gateway.Cli.Backup;

/// <summary>The exit codes of the backup and archive verify commands beyond <see cref="ExitCodes"/>.</summary>
internal static class BackupExitCodes
{
    /// <summary>Damage found: a snapshot failed its check, archive objects failed verification, or objects changed since the last snapshot.</summary>
    public const int Damaged = 4;

    /// <summary>The audit log or the repository is held by another writer (a running gateway, another snapshot).</summary>
    public const int InUse = 5;

    /// <summary>A prune asked to delete a snapshot before its retention date.</summary>
    public const int Retained = 6;
}
