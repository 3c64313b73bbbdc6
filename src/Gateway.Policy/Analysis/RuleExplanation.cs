using Gateway.Policy.Model;

namespace Gateway.Policy.Analysis;

/// <summary>Why one rule did (no mismatches) or did not match a request.</summary>
/// <param name="Rule">The rule id (<c>flow:NAME</c>, <c>role:ROLE/GRANT</c>).</param>
/// <param name="Location">Where the rule is written.</param>
/// <param name="Mismatches">Each condition the request fails, in words; empty when the rule matches.</param>
public sealed record RuleExplanation(string Rule, SourceLocation Location, IReadOnlyList<string> Mismatches);
