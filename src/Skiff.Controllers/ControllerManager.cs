using Microsoft.Extensions.Logging;
using Skiff.Client;

namespace Skiff.Controllers;

/// <summary>
/// Runs the cluster's controllers over one API client (the controller manager's own identity),
/// until cancelled. Each controller is independent; one failing is logged and restarted after a
/// pause, so it never takes the others down.
/// </summary>
public sealed class ControllerManager(KubeClient client, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("controller-manager");

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(
        KeepRunning("garbage-collector", c => new GarbageCollector.GarbageCollectorController(client, loggers).RunAsync(c), ct));

    private async Task KeepRunning(string name, Func<CancellationToken, Task> run, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await run(ct);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                _log.LogError(e, "Controller {Controller} failed; restarting it in 5 s", name);
                try { await Task.Delay(TimeSpan.FromSeconds(5), ct); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
