namespace Gateway.Cli;

/// <summary>Input the operator gave that a command cannot use; reported as one <c>error:</c> line, exit code 2.</summary>
internal sealed class CliInputException(string message) : Exception(message);
