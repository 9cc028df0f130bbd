using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Skiff.Commands;

/// <summary>
/// A long-running command's process: a token cancelled by SIGTERM, SIGINT or the command's own token, and the
/// console loggers every role logs through (one line per entry, UTC timestamps, Microsoft.* at Warning).
/// Dispose when the command returns.
/// </summary>
internal sealed class ProcessLifetime : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public ProcessLifetime(CancellationToken commandToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; _stop.Cancel(); });
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; _stop.Cancel(); });
        Loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ "; c.UseUtcTimestamp = true; })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning));
    }

    public CancellationToken Token => _stop.Token;
    public bool IsStopping => _stop.IsCancellationRequested;
    public ILoggerFactory Loggers { get; }

    public void Dispose()
    {
        Loggers.Dispose();
        _sigint.Dispose();
        _sigterm.Dispose();
        _stop.Dispose();
    }
}
