using System.CommandLine;
using Gateway.Policy.Loading;
using Gateway.Policy.Model;

namespace Gateway.Cli.Identity;

/// <summary>The options the identity commands share: the data directory, and the policy that roles are checked against.</summary>
internal sealed class IdentityCommandOptions
{
    public const string DefaultDataDirectory = "data";
    public const string DefaultPolicyDirectory = "policies";

    public Option<string> Data { get; } = new("--data")
    {
        Description = $"The gateway's data directory, which holds identity/ (default ./{DefaultDataDirectory}).",
        DefaultValueFactory = _ => DefaultDataDirectory,
    };

    public Option<string> Policy { get; } = new("--policy")
    {
        Description = $"The policy directory whose roles, clients and users the identity is bound to (default ./{DefaultPolicyDirectory}).",
        DefaultValueFactory = _ => DefaultPolicyDirectory,
    };

    public Option<bool> NoPolicyCheck { get; } = new("--no-policy-check")
    {
        Description = "Do not check roles against the policy (for example while the policy is being written).",
    };

    public void AddData(Command command) => command.Options.Add(Data);

    public void AddPolicy(Command command)
    {
        command.Options.Add(Policy);
        command.Options.Add(NoPolicyCheck);
    }

    public string DataDirectory(ParseResult result) => result.GetValue(Data)!;

    /// <summary>The policy model, or null with <c>--no-policy-check</c>.</summary>
    /// <exception cref="CliInputException">The policy cannot be read or has errors.</exception>
    public PolicyModel? LoadPolicy(ParseResult result)
    {
        if (result.GetValue(NoPolicyCheck))
        {
            return null;
        }

        string directory = result.GetValue(Policy)!;
        PolicyLoadResult loaded = PolicyLoader.LoadDirectory(directory);
        return loaded.Model ?? throw new CliInputException(
            $"the policy in {directory} cannot be used ({loaded.Errors.Count()} error(s); see 'gatewayctl policy lint {directory}'); roles are checked against it, or pass --no-policy-check");
    }
}
