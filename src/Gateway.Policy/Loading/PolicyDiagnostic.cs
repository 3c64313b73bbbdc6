using Gateway.Policy.Model;

namespace Gateway.Policy.Loading;

/// <summary>One error or warning about a policy, with the place it refers to.</summary>
/// <param name="Severity">Error or warning.</param>
/// <param name="Code">A stable kebab-case code (<c>unknown-name</c>, <c>shadowed-flow</c> ...), listed in policies/README.md.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
/// <param name="Location">The file, line and column, or null when it concerns no one place (a missing directory).</param>
public sealed record PolicyDiagnostic(PolicyDiagnosticSeverity Severity, string Code, string Message, SourceLocation? Location)
{
    /// <summary>Creates an error.</summary>
    public static PolicyDiagnostic Error(string code, string message, SourceLocation? location) =>
        new(PolicyDiagnosticSeverity.Error, code, message, location);

    /// <summary>Creates a warning.</summary>
    public static PolicyDiagnostic Warning(string code, string message, SourceLocation? location) =>
        new(PolicyDiagnosticSeverity.Warning, code, message, location);

    /// <summary>True for an error.</summary>
    public bool IsError => Severity == PolicyDiagnosticSeverity.Error;

    /// <summary><c>FILE:LINE:COL: error CODE: message</c>, as compilers print it.</summary>
    public override string ToString() =>
        (Location is { } l ? l + ": " : string.Empty) + (IsError ? "error " : "warning ") + Code + ": " + Message;
}
