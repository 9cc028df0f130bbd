using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Skiff.Agent.Tests.Support;

/// <summary>Loggers that write to the test's output, so a failing test shows what the component said.</summary>
public sealed class TestLoggerFactory(ITestOutputHelper output) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new OutputLogger(output, categoryName);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    private sealed class OutputLogger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try { output.WriteLine($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}"); }
            catch (InvalidOperationException) { } // the test has finished
        }
    }
}
