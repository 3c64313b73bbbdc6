using Gateway.Policy.Model;

namespace Gateway.Policy.Loading;

/// <summary>The outcome of loading a policy: the model when it is valid, and every diagnostic found.</summary>
public sealed record PolicyLoadResult
{
    /// <summary>The validated model, or null when there was any error (a bad policy never takes effect, not even in part).</summary>
    public PolicyModel? Model { get; init; }

    /// <summary>Every error found (all files, not the first only), ordered by file and line.</summary>
    public IReadOnlyList<PolicyDiagnostic> Diagnostics { get; init; } = [];

    /// <summary>The files read, in load order.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>True when the directory or a file could not be read at all (missing, permissions, I/O), as opposed to invalid content.</summary>
    public bool IsUnreadable { get; init; }

    /// <summary>True when the policy is valid.</summary>
    public bool Succeeded => Model is not null;

    /// <summary>The errors only.</summary>
    public IEnumerable<PolicyDiagnostic> Errors => Diagnostics.Where(d => d.IsError);
}
