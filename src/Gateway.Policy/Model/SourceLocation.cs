namespace Gateway.Policy.Model;

/// <summary>Where something was written: a policy file and a 1-based line and column.</summary>
/// <param name="File">The file path as the loader was given it.</param>
/// <param name="Line">The line, from 1.</param>
/// <param name="Column">The column, from 1.</param>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}
