using Microsoft.Extensions.Logging;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// Upstream's PLEG: lists the runtime's sandboxes and containers every relist period and signals the pods
/// whose runtime state changed (a container exited, a sandbox died), since containerd 1.6 has no CRI event
/// stream. The first relist signals every pod the runtime holds, which is how a restarted agent re-adopts
/// running pods and finds those deleted while it was away. Runs on one task; not meant to be shared.
/// </summary>
public sealed class PodLifecycleEventGenerator(ContainerRuntimeManager runtime, Action<string> signal, TimeSpan period, ILogger<PodLifecycleEventGenerator> log)
{
    private Dictionary<string, string> _last = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period);
        var failing = false;
        do
        {
            try
            {
                var now = await runtime.SnapshotAsync(ct).ConfigureAwait(false);
                foreach (var (uid, fingerprint) in now)
                    if (!_last.TryGetValue(uid, out var before) || before != fingerprint) signal(uid);
                foreach (var uid in _last.Keys.Where(u => !now.ContainsKey(u))) signal(uid);
                _last = now;
                if (failing) log.LogInformation("The container runtime answers again");
                failing = false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                if (!failing) log.LogWarning("Listing the container runtime failed: {Error}", e.Message);
                failing = true;
            }
        } while (await WaitAsync(timer, ct).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { return false; }
    }
}
