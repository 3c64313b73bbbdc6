using Gateway.Policy.Loading;

namespace Gateway.Policy;

/// <summary>The policy could not be loaded at start-up: the host must not start (default deny has nothing to enforce with).</summary>
public sealed class PolicyLoadException : Exception
{
    /// <summary>Creates the exception from a failed load.</summary>
    public PolicyLoadException(PolicyReloadResult result)
        : base((result ?? throw new ArgumentNullException(nameof(result))).Summary + Environment.NewLine + string.Join(Environment.NewLine, result.Diagnostics.Where(d => d.IsError)))
    {
        Diagnostics = result.Diagnostics;
    }

    /// <summary>Creates the exception with a message.</summary>
    public PolicyLoadException(string message)
        : base(message)
    {
        Diagnostics = [];
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public PolicyLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Diagnostics = [];
    }

    /// <summary>Creates the exception without details.</summary>
    public PolicyLoadException()
    {
        Diagnostics = [];
    }

    /// <summary>Every error found.</summary>
    public IReadOnlyList<PolicyDiagnostic> Diagnostics { get; }
}
