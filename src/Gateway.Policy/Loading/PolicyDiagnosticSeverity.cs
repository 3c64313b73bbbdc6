namespace Gateway.Policy.Loading;

/// <summary>How serious a finding is.</summary>
public enum PolicyDiagnosticSeverity : byte
{
    /// <summary>The policy cannot take effect (load) or must not go live (lint exits 1).</summary>
    Error,

    /// <summary>Works as written, but a reviewer should look.</summary>
    Warning,
}
