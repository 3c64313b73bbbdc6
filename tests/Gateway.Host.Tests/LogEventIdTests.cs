using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tests;

/// <summary>
/// An operator filters and alerts on the operational log's event ids, so each one names one message: no two
/// source-generated log messages anywhere in the gateway share an id, and none is left without one.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void EveryLogMessageInTheGateway_HasItsOwnEventId()
    {
        Assembly host = typeof(GatewayApplication).Assembly;
        Assembly[] assemblies =
        [
            host,
            .. host.GetReferencedAssemblies().Where(name => name.Name!.StartsWith("Gateway.", StringComparison.Ordinal)).Select(Assembly.Load),
        ];
        var messages = (
            from assembly in assemblies
            from type in assembly.GetTypes()
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
            where attribute is not null
            select (attribute.EventId, Name: $"{type.FullName}.{method.Name}")).ToList();

        // Every assembly that logs is seen (the codec alone has no log messages).
        Assert.All(new[] { "Gateway.Host", "Gateway.Dicom.Network", "Gateway.Audit", "Gateway.Archive", "Gateway.Identity" },
            name => Assert.Contains(messages, m => m.Name.StartsWith(name + ".", StringComparison.Ordinal)));
        Assert.True(messages.Count > 100, $"only {messages.Count} log messages found");
        Assert.Empty(messages.Where(m => m.EventId <= 0).Select(m => m.Name));
        string[] shared = [.. messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}")];
        Assert.Empty(shared);
    }
}
