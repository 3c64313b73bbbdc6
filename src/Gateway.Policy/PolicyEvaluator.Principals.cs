using Gateway.Policy.Evaluation;
using Gateway.Policy.Model;

namespace Gateway.Policy;

// DICOMweb and admin requests: a registered client (with its address and certificate bindings), optionally acting for
// a user. With a user, the user's roles must allow the request and the client's roles too (the client is a ceiling).
public sealed partial class PolicyEvaluator
{
    private PolicyDecision EvaluatePrincipal(in PolicyRequest request)
    {
        if (request.Service is null || !_servicesByName.TryGetValue(request.Service, out CompiledService? service) || service.Protocol != request.Protocol)
        {
            return Deny(PolicyReason.UnknownService, DefaultDeny);
        }

        if (request.ClientId is null || !_clientsById.TryGetValue(request.ClientId, out CompiledClient? client))
        {
            return Deny(PolicyReason.UnknownClient, DefaultDeny) with { Service = service.Name };
        }

        if (client.Addresses.Length > 0)
        {
            if (request.RemoteAddress is null || !IpNetwork.TryToUInt128(request.RemoteAddress, out UInt128 address) || !MatchesAny(client.Addresses, address))
            {
                return Deny(PolicyReason.AddressMismatch, client.RuleId) with { Service = service.Name };
            }
        }

        if (client.Certificate is not null)
        {
            PolicyReason check = client.Certificate.Check(request.Certificate);
            if (check != PolicyReason.Allowed)
            {
                return Deny(check, client.RuleId) with { Service = service.Name };
            }
        }

        PolicyDecision clientDecision = FirstAllowingGrant(client.Roles, null, service.Index, request);
        if (request.UserId is null)
        {
            return clientDecision with { Principal = client.Name, Service = service.Name };
        }

        _ = _usersById.TryGetValue(request.UserId, out int[]? userRoles);
        if (userRoles is null && !HasTokenRole(request.Roles))
        {
            return Deny(PolicyReason.UnknownUser, DefaultDeny) with { Principal = client.Name, Service = service.Name };
        }

        PolicyDecision userDecision = FirstAllowingGrant(userRoles ?? [], request.Roles, service.Index, request);
        if (userDecision.Outcome != PolicyOutcome.Allow)
        {
            return userDecision with { Principal = client.Name, Service = service.Name };
        }

        if (clientDecision.Outcome != PolicyOutcome.Allow)
        {
            return clientDecision with { Reason = PolicyReason.ClientNotAllowed, Principal = client.Name, Service = service.Name };
        }

        return userDecision with { Principal = client.Name, Service = service.Name };
    }

    // Grants of the bound roles first, then of token roles the policy accepts from tokens; first allowing grant wins.
    private PolicyDecision FirstAllowingGrant(int[] boundRoles, IReadOnlyList<string>? tokenRoles, int serviceIndex, in PolicyRequest request)
    {
        PolicyDecision best = Deny(PolicyReason.NoMatchingRule, DefaultDeny);
        int bestStage = -1;
        for (int i = 0; i < boundRoles.Length; i++)
        {
            if (Consider(_roles[boundRoles[i]].GrantsByService[serviceIndex], request, ref best, ref bestStage))
            {
                return best;
            }
        }

        if (tokenRoles is not null)
        {
            for (int i = 0; i < tokenRoles.Count; i++)
            {
                if (tokenRoles[i] is { } name && _rolesByName.TryGetValue(name, out int index) && _roles[index].TokenClaim &&
                    Consider(_roles[index].GrantsByService[serviceIndex], request, ref best, ref bestStage))
                {
                    return best;
                }
            }
        }

        return best;
    }

    private bool Consider(CompiledRule[] grants, in PolicyRequest request, ref PolicyDecision best, ref int bestStage)
    {
        if (grants.Length == 0)
        {
            return false;
        }

        PolicyDecision decision = FirstAllowing(grants, request, out _);
        if (decision.Outcome == PolicyOutcome.Allow)
        {
            best = decision;
            return true;
        }

        int stage = CompiledRule.Stage(decision.Reason);
        if (stage > bestStage)
        {
            best = decision;
            bestStage = stage;
        }

        return false;
    }

    private bool HasTokenRole(IReadOnlyList<string>? roles)
    {
        if (roles is null)
        {
            return false;
        }

        for (int i = 0; i < roles.Count; i++)
        {
            if (roles[i] is { } name && _rolesByName.TryGetValue(name, out int index) && _roles[index].TokenClaim)
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesAny(IpNetwork[] networks, UInt128 address)
    {
        for (int i = 0; i < networks.Length; i++)
        {
            if (networks[i].Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
