namespace Gateway.Policy.Analysis;

/// <summary>One change between two policies, as a sentence a reviewer can sign.</summary>
/// <param name="Kind">Grant, revoke or other change.</param>
/// <param name="Subject">What changed (<c>flow:ct-store</c>, <c>peer:us-cart</c>, <c>mode</c> ...).</param>
/// <param name="Text">The sentence.</param>
public sealed record PolicyChange(PolicyChangeKind Kind, string Subject, string Text);
