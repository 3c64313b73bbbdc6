namespace Gateway.Backup.Drill;

/// <summary>One check of a drill and its result.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Detail">Figures or the reason it failed (no PHI).</param>
public sealed record DrillCheck(string Name, bool Passed, string Detail);
