using Microsoft.Extensions.Logging;

namespace Skiff.Controllers.Common;

/// <summary>Keeps a component running: one that fails is logged and started again after a pause, so one bug never takes the others down.</summary>
public static class Restarting
{
    public static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="run"/> until it returns or <paramref name="ct"/> fires, restarting it after each failure.</summary>
    public static async Task RunAsync(string name, Func<CancellationToken, Task> run, ILogger log, CancellationToken ct)
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
                log.LogError(e, "{Component} failed; restarting it in {Seconds} s", name, Pause.TotalSeconds);
                try { await Task.Delay(Pause, ct); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
