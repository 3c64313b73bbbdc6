using System.Collections.Concurrent;
using System.Net;
using Gateway.Policy;

namespace Gateway.Host.Policy;

/// <summary>
/// What the policy has decided since the gateway started, for the security team's console page: every distinct flow
/// (who, from where, to which service, which operation, plain or TLS, and the outcome) with its count and when it was
/// last seen, and the most recent requests for simulating a candidate policy against real traffic.
/// </summary>
/// <remarks>
/// Holds no patient data: AE titles, addresses, user and client ids, services, SOP classes. Bounded: at most
/// <see cref="MaxFlows"/> distinct flows (later new ones are counted in <see cref="DroppedFlows"/>) and the last
/// <see cref="MaxRecentRequests"/> requests. In memory only: a restart starts afresh (the audit log keeps the record).
/// </remarks>
public sealed class PolicyTraffic
{
    /// <summary>Distinct flows kept.</summary>
    public const int MaxFlows = 10_000;

    /// <summary>Requests kept for simulation.</summary>
    public const int MaxRecentRequests = 20_000;

    private readonly ConcurrentDictionary<ObservedFlowKey, FlowCounter> _flows = new();
    private readonly Lock _recentGate = new();
    private readonly (PolicyRequest Request, PolicyOutcome Outcome, string Rule)[] _recent = new (PolicyRequest, PolicyOutcome, string)[MaxRecentRequests];
    private long _recentCount;
    private long _droppedFlows;

    /// <summary>New flows not kept because <see cref="MaxFlows"/> were held already.</summary>
    public long DroppedFlows => Interlocked.Read(ref _droppedFlows);

    /// <summary>Counts one decided request.</summary>
    public void Observe(in PolicyRequest request, PolicyDecision decision, bool tls)
    {
        Count(
            new ObservedFlowKey(
                PolicyOperations.ProtocolOf(request.Operation),
                request.UserId ?? request.ClientId ?? request.CallingAE ?? "(unknown)",
                request.RemoteAddress?.ToString() ?? "-",
                request.Service ?? request.CalledAE ?? "-",
                PolicyOperations.Name(request.Operation),
                tls,
                decision.Outcome,
                RuleOrReason(decision)),
            request.At);
        lock (_recentGate)
        {
            _recent[_recentCount % MaxRecentRequests] = (request, decision.Outcome, decision.Rule);
            _recentCount++;
        }
    }

    /// <summary>Counts one decided association request (A-ASSOCIATE-RQ); not kept for simulation, which replays requests.</summary>
    public void ObserveAssociation(string callingAE, string calledAE, IPAddress? address, bool tls, PolicyDecision decision, DateTimeOffset at) =>
        Count(new ObservedFlowKey(PolicyProtocol.Dimse, callingAE, address?.ToString() ?? "-", calledAE, "association", tls, decision.Outcome, RuleOrReason(decision)), at);

    private static string RuleOrReason(PolicyDecision decision) =>
        decision.Outcome == PolicyOutcome.Allow ? decision.Rule : PolicyReasons.Code(decision.Reason);

    private void Count(ObservedFlowKey key, DateTimeOffset at)
    {
        if (_flows.TryGetValue(key, out FlowCounter? counter) || _flows.Count < MaxFlows)
        {
            (counter ?? _flows.GetOrAdd(key, static _ => new FlowCounter())).Add(at);
        }
        else
        {
            Interlocked.Increment(ref _droppedFlows);
        }
    }

    /// <summary>The flows seen, most recent first.</summary>
    public IReadOnlyList<ObservedFlow> Flows() =>
        [.. _flows.Select(f => new ObservedFlow(f.Key, f.Value.Count, f.Value.LastSeen)).OrderByDescending(f => f.LastSeen)];

    /// <summary>The most recent requests, oldest first, with the outcome and rule decided for each.</summary>
    public IReadOnlyList<(PolicyRequest Request, PolicyOutcome Outcome, string Rule)> RecentRequests()
    {
        lock (_recentGate)
        {
            long count = Math.Min(_recentCount, MaxRecentRequests);
            var list = new List<(PolicyRequest, PolicyOutcome, string)>((int)count);
            for (long i = _recentCount - count; i < _recentCount; i++)
            {
                list.Add(_recent[i % MaxRecentRequests]);
            }

            return list;
        }
    }

    private sealed class FlowCounter
    {
        private long _count;
        private long _lastSeenTicks;

        public long Count => Interlocked.Read(ref _count);

        public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

        public void Add(DateTimeOffset at)
        {
            Interlocked.Increment(ref _count);
            long ticks = at.UtcTicks;
            long seen = Interlocked.Read(ref _lastSeenTicks);
            while (ticks > seen)
            {
                long previous = Interlocked.CompareExchange(ref _lastSeenTicks, ticks, seen);
                if (previous == seen)
                {
                    break;
                }

                seen = previous;
            }
        }
    }
}

/// <summary>What makes two requests the same flow.</summary>
/// <param name="Protocol">DIMSE, DICOMweb or admin.</param>
/// <param name="Peer">The user, client or calling AE title.</param>
/// <param name="Address">The remote address.</param>
/// <param name="Service">The service (or called AE title).</param>
/// <param name="Operation">The operation's policy name, or <c>association</c>.</param>
/// <param name="Tls">Whether the connection was TLS.</param>
/// <param name="Outcome">The policy's outcome.</param>
/// <param name="RuleOrReason">The rule that allowed it, or the reason code of a refusal.</param>
public readonly record struct ObservedFlowKey(PolicyProtocol Protocol, string Peer, string Address, string Service, string Operation, bool Tls, PolicyOutcome Outcome, string RuleOrReason);

/// <summary>A flow and how often and how recently it was seen.</summary>
/// <param name="Key">The flow.</param>
/// <param name="Count">Requests counted.</param>
/// <param name="LastSeen">When the latest was decided.</param>
public sealed record ObservedFlow(ObservedFlowKey Key, long Count, DateTimeOffset LastSeen);
