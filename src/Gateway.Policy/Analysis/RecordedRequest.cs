namespace Gateway.Policy.Analysis;

/// <summary>One request read from a recorded-requests file (JSON lines), with the decision recorded for it, if any.</summary>
/// <param name="Line">The 1-based line number in the file.</param>
/// <param name="Request">The request facts.</param>
/// <param name="RecordedOutcome">The outcome recorded with the request (<c>decision</c>), or null.</param>
/// <param name="RecordedRule">The rule recorded with the request (<c>rule</c>), or null.</param>
/// <param name="RecordedReason">The reason recorded with the request (<c>reason</c>), or null when absent or unknown.</param>
public sealed record RecordedRequest(int Line, PolicyRequest Request, PolicyOutcome? RecordedOutcome, string? RecordedRule, PolicyReason? RecordedReason = null);
