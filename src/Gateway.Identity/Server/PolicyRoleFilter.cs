using Gateway.Policy;

namespace Gateway.Identity.Server;

/// <summary>
/// Keeps only the roles the policy in effect defines when a token is issued, so a token never carries a role the policy
/// has dropped since the account or client was registered.
/// </summary>
/// <remarks>Without a <see cref="PolicyStore"/> (the identity running alone, as in its tests) roles pass unchanged; with a store that has no policy loaded, none pass.</remarks>
internal sealed class PolicyRoleFilter(PolicyStore? policy = null)
{
    public IReadOnlyList<string> Filter(IEnumerable<string> roles)
    {
        if (policy is null)
        {
            return [.. roles];
        }

        Gateway.Policy.Model.PolicyModel? model = policy.Current?.Evaluator.Model;
        return model is null ? [] : [.. roles.Where(r => model.FindRole(r) is not null)];
    }
}
