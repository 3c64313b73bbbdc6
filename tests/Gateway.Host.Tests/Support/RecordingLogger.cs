using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tests.Support;

/// <summary>Keeps every log entry (level, event id, formatted message) for inspection.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
    }

    public int Count(int eventId) => Entries.Count(e => e.EventId == eventId);
}
