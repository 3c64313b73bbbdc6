namespace Gateway.Policy.Analysis;

/// <summary>What replaying recorded requests against a new policy found.</summary>
public sealed record SimulationReport
{
    /// <summary>Requests replayed.</summary>
    public int Replayed { get; init; }

    /// <summary>Requests with no recorded decision (and no old policy to compare with): not compared.</summary>
    public int WithoutBaseline { get; init; }

    /// <summary>Every request whose outcome changes, in file order.</summary>
    public required IReadOnlyList<SimulationChange> Changes { get; init; }

    /// <summary>Changes from allowed to denied.</summary>
    public int NowDenied => Changes.Count(c => c.NowDenied);

    /// <summary>Changes from denied to allowed.</summary>
    public int NowAllowed => Changes.Count(c => !c.NowDenied);
}
