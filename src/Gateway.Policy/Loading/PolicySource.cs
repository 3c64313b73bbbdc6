namespace Gateway.Policy.Loading;

/// <summary>One policy file's name and text, for loading policies that do not come from a directory (tests, the admin API).</summary>
/// <param name="Name">The name reported in diagnostics.</param>
/// <param name="Text">The YAML text.</param>
public sealed record PolicySource(string Name, string Text);
