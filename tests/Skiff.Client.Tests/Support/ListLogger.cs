using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Skiff.Client.Tests;

/// <summary>Keeps log lines in memory so that assertion messages can show what the client did.</summary>
internal sealed class ListLogger : ILogger, ILoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");

    public ILogger CreateLogger(string categoryName) => this;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    public override string ToString() => string.Join("\n", Lines);
}
