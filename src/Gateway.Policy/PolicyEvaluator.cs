using System.Collections.Frozen;
using Gateway.Policy.Evaluation;
using Gateway.Policy.Model;

namespace Gateway.Policy;

/// <summary>
/// The compiled, immutable form of one policy: pure, synchronous decisions for DIMSE, DICOMweb and admin requests.
/// No rule allows the request: deny.
/// </summary>
/// <remarks>
/// A decision does not allocate: peers are found through a frozen dictionary keyed by AE title (looked up by span,
/// so padding is trimmed without a copy), addresses compared as 128-bit integers, SOP classes and move destinations
/// through frozen sets, and the candidate rules of a peer and service come from a precomputed table in policy order.
/// Safe to use from any number of threads.
/// </remarks>
public sealed partial class PolicyEvaluator
{
    private const string DefaultDeny = "default-deny";

    private readonly FrozenDictionary<string, CompiledPeer[]>.AlternateLookup<ReadOnlySpan<char>> _peersByAE;
    private readonly FrozenDictionary<string, CompiledService>.AlternateLookup<ReadOnlySpan<char>> _servicesByAE;
    private readonly FrozenDictionary<string, CompiledService> _servicesByName;
    private readonly FrozenDictionary<string, CompiledClient> _clientsById;
    private readonly FrozenDictionary<string, int[]> _usersById;
    private readonly FrozenDictionary<string, int> _rolesByName;
    private readonly CompiledRole[] _roles;
    private readonly TimeZoneInfo _timeZone;

    /// <summary>The policy's mode.</summary>
    public PolicyMode Mode { get; }

    /// <summary>The model this evaluator was compiled from.</summary>
    public PolicyModel Model { get; }

    /// <summary>Decides on one request.</summary>
    public PolicyDecision Evaluate(in PolicyRequest request)
    {
        if (!PolicyOperations.IsDefined(request.Operation) || PolicyOperations.ProtocolOf(request.Operation) != request.Protocol)
        {
            return Finish(Deny(PolicyReason.InvalidRequest, DefaultDeny));
        }

        return Finish(request.Protocol == PolicyProtocol.Dimse ? EvaluateDimse(request) : EvaluatePrincipal(request));
    }

    /// <summary>
    /// Decides on an association: the calling peer must be recognised by all its bindings, the called AE title must be a
    /// service, and some flow between them must apply now. The result also says which abstract syntaxes to accept.
    /// </summary>
    public PolicyAssociationDecision EvaluateAssociation(in PolicyAssociationRequest request)
    {
        PolicyDecision identity = IdentifyPeer(request.CallingAE, request.RemoteAddress, request.Certificate, out CompiledPeer? peer);
        if (peer is null)
        {
            return new PolicyAssociationDecision { Decision = Finish(identity), AbstractSyntaxes = PolicyAbstractSyntaxSet.Empty };
        }

        CompiledService? service = FindDimseService(null, request.CalledAE);
        if (service is null)
        {
            return new PolicyAssociationDecision
            {
                Decision = Finish(Deny(PolicyReason.UnknownService, DefaultDeny) with { Principal = peer.Name }),
                AbstractSyntaxes = PolicyAbstractSyntaxSet.Empty,
            };
        }

        CompiledRule[] rules = peer.RulesByService[service.Index];
        PolicyAbstractSyntaxSet syntaxes = peer.SyntaxesByService[service.Index];
        if (rules.Length == 0)
        {
            return new PolicyAssociationDecision
            {
                Decision = Finish(Deny(PolicyReason.NoMatchingRule, DefaultDeny) with { Principal = peer.Name, Service = service.Name }),
                AbstractSyntaxes = PolicyAbstractSyntaxSet.Empty,
            };
        }

        var clock = new LocalClock(request.At, _timeZone);
        IReadOnlySet<string>? identityRoles = null;
        PolicyReason refusal = PolicyReason.OutsideTimeWindow;
        for (int i = 0; i < rules.Length; i++)
        {
            if (!rules[i].HasWindows || rules[i].InWindow(clock.Now))
            {
                PolicyReason identityCheck = CheckIdentity(rules[i], request.UserId, request.ClientId, request.Roles, ref identityRoles);
                if (identityCheck != PolicyReason.Allowed)
                {
                    refusal = identityCheck;
                    continue;
                }

                return new PolicyAssociationDecision
                {
                    Decision = Finish(new PolicyDecision
                    {
                        Outcome = PolicyOutcome.Allow,
                        Reason = PolicyReason.Allowed,
                        Rule = rules[i].Id,
                        Principal = peer.Name,
                        Service = service.Name,
                        RateLimit = rules[i].RateLimit,
                    }),
                    AbstractSyntaxes = syntaxes,
                };
            }
        }

        return new PolicyAssociationDecision
        {
            Decision = Finish(Deny(refusal, DefaultDeny) with { NearestRule = rules[0].Id, Principal = peer.Name, Service = service.Name }),
            AbstractSyntaxes = syntaxes,
        };
    }

    private PolicyDecision EvaluateDimse(in PolicyRequest request)
    {
        PolicyDecision identity = IdentifyPeer(request.CallingAE, request.RemoteAddress, request.Certificate, out CompiledPeer? peer);
        if (peer is null)
        {
            return identity;
        }

        CompiledService? service = FindDimseService(request.Service, request.CalledAE);
        if (service is null)
        {
            return Deny(PolicyReason.UnknownService, DefaultDeny) with { Principal = peer.Name };
        }

        PolicyDecision decision = FirstAllowing(peer.RulesByService[service.Index], request, out _);
        return decision with { Principal = peer.Name, Service = service.Name };
    }

    // The identity check of a rule that asks for one (most do not, and cost nothing). The roles are worked out once per
    // request, on first need.
    private PolicyReason CheckIdentity(CompiledRule rule, string? userId, string? clientId, IReadOnlyList<string>? tokenRoles, ref IReadOnlySet<string>? roles)
    {
        if (!rule.RequiresIdentity)
        {
            return PolicyReason.Allowed;
        }

        roles ??= IdentityRoles(userId, clientId, tokenRoles);
        return rule.CheckIdentity(roles is not null, roles ?? FrozenSet<string>.Empty);
    }

    // A DIMSE association's verified identity: known to the policy as a user or client, with the roles bound to it there
    // and those its token carried; null when there is none. An identity the policy does not know counts as none.
    private HashSet<string>? IdentityRoles(string? userId, string? clientId, IReadOnlyList<string>? tokenRoles)
    {
        if (userId is null && clientId is null)
        {
            return null;
        }

        var roles = new HashSet<string>(tokenRoles ?? [], StringComparer.Ordinal);
        bool identified = false;
        if (userId is not null && _usersById.TryGetValue(userId, out int[]? userRoles))
        {
            identified = true;
            roles.UnionWith(userRoles.Select(r => _roles[r].Name));
        }

        if (clientId is not null && _clientsById.TryGetValue(clientId, out CompiledClient? client))
        {
            identified = true;
            roles.UnionWith(client.Roles.Select(r => _roles[r].Name));
        }

        return identified ? roles : null;
    }

    // Recognises a peer only when AE title, address and certificate all match. A known AE title whose bindings fail is a
    // spoofing attempt: the decision names the peer whose title was used and the binding that failed.
    private PolicyDecision IdentifyPeer(string? callingAE, System.Net.IPAddress? address, PolicyCertificate? certificate, out CompiledPeer? peer)
    {
        peer = null;
        ReadOnlySpan<char> ae = CompiledRule.TrimAE(callingAE);
        if (ae.IsEmpty)
        {
            return Deny(PolicyReason.InvalidRequest, DefaultDeny);
        }

        if (!_peersByAE.TryGetValue(ae, out CompiledPeer[]? candidates))
        {
            return Deny(PolicyReason.UnknownPeer, DefaultDeny);
        }

        if (address is null || !IpNetwork.TryToUInt128(address, out UInt128 value))
        {
            return Deny(PolicyReason.AddressMismatch, candidates[0].RuleId);
        }

        PolicyReason failure = PolicyReason.AddressMismatch;
        CompiledPeer nearest = candidates[0];
        for (int i = 0; i < candidates.Length; i++)
        {
            CompiledPeer candidate = candidates[i];
            if (!candidate.MatchesAddress(value))
            {
                continue;
            }

            PolicyReason certificateCheck = candidate.Certificate?.Check(certificate) ?? PolicyReason.Allowed;
            if (certificateCheck == PolicyReason.Allowed)
            {
                peer = candidate;
                return default;
            }

            if (failure == PolicyReason.AddressMismatch)
            {
                failure = certificateCheck;
                nearest = candidate;
            }
        }

        return Deny(failure, nearest.RuleId);
    }

    private CompiledService? FindDimseService(string? name, string? calledAE)
    {
        CompiledService? service;
        if (name is not null)
        {
            _ = _servicesByName.TryGetValue(name, out service);
        }
        else
        {
            ReadOnlySpan<char> ae = CompiledRule.TrimAE(calledAE);
            if (ae.IsEmpty || !_servicesByAE.TryGetValue(ae, out service))
            {
                return null;
            }
        }

        return service is { Protocol: PolicyProtocol.Dimse } ? service : null;
    }

    // The first rule in policy order that allows the request; otherwise a default denial naming the rule that came closest.
    private PolicyDecision FirstAllowing(CompiledRule[] rules, in PolicyRequest request, out CompiledRule? allowing)
    {
        IReadOnlySet<string>? identityRoles = null;
        allowing = null;
        if (rules.Length == 0)
        {
            return Deny(PolicyReason.NoMatchingRule, DefaultDeny);
        }

        var clock = new LocalClock(request.At, _timeZone);
        CompiledRule? nearest = null;
        PolicyReason nearestReason = PolicyReason.NoMatchingRule;
        int nearestStage = -1;
        for (int i = 0; i < rules.Length; i++)
        {
            PolicyReason reason = rules[i].Check(request, ref clock);
            if (reason == PolicyReason.Allowed)
            {
                reason = CheckIdentity(rules[i], request.UserId, request.ClientId, request.Roles, ref identityRoles);
            }

            if (reason == PolicyReason.Allowed)
            {
                allowing = rules[i];
                return new PolicyDecision
                {
                    Outcome = PolicyOutcome.Allow,
                    Reason = PolicyReason.Allowed,
                    Rule = rules[i].Id,
                    RateLimit = rules[i].RateLimit,
                    MaxObjectSize = rules[i].MaxObjectSize,
                };
            }

            int stage = CompiledRule.Stage(reason);
            if (stage > nearestStage)
            {
                nearest = rules[i];
                nearestReason = reason;
                nearestStage = stage;
            }
        }

        return Deny(nearestReason, DefaultDeny) with { NearestRule = nearest?.Id };
    }

    internal DateTime LocalTime(DateTimeOffset at) => new LocalClock(at, _timeZone).Now;

    private PolicyDecision Finish(PolicyDecision decision)
    {
        PolicyOutcome outcome = decision.Outcome == PolicyOutcome.Deny && Mode == PolicyMode.Observe ? PolicyOutcome.WouldDeny : decision.Outcome;
        return decision with { Outcome = outcome, Mode = Mode };
    }

    private static PolicyDecision Deny(PolicyReason reason, string rule) => new()
    {
        Outcome = PolicyOutcome.Deny,
        Reason = reason,
        Rule = rule,
    };
}
