using System.Globalization;
using Gateway.Host.Audit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Host.Health;

/// <summary>
/// Readiness: audit forwarding. An unreachable repository is Degraded, never Unhealthy: the local audit log is the record
/// of truth and the gateway keeps working; the records wait and are sent when it is back.
/// </summary>
public sealed class AuditSyslogHealthCheck(AuditSyslogService forwarding) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        AuditSyslogStatus status = forwarding.Status;
        long behind = forwarding.RecordsBehind;
        var data = new Dictionary<string, object>
        {
            ["target"] = forwarding.Target,
            ["recordsBehind"] = behind,
            ["state"] = status.State.ToString(),
            ["since"] = status.Since.ToString("O", CultureInfo.InvariantCulture),
        };
        HealthCheckResult result = status.State == AuditSyslogState.Unreachable
            ? HealthCheckResult.Degraded($"audit repository {forwarding.Target} unreachable since {status.Since:O}, {behind} records waiting: {status.LastError}", data: data)
            : HealthCheckResult.Healthy($"audit forwarding to {forwarding.Target}: {behind} records behind", data);
        return Task.FromResult(result);
    }
}
