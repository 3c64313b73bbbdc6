namespace Gateway.Host.Archive;

/// <summary>What a new utilisation figure did relative to the warning threshold.</summary>
internal enum UtilisationCrossing
{
    /// <summary>No crossing.</summary>
    None,

    /// <summary>It rose above the threshold.</summary>
    Raised,

    /// <summary>It fell back below the threshold (with margin).</summary>
    Cleared,
}
