using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// One worker per pod UID (upstream's podWorkers): signals for a pod coalesce, its syncs run one at a
/// time and never overlap, different pods sync in parallel. A sync may ask to run again after a delay
/// (backoff ends, a probe period); every pod is also synced at the resync period; a failed sync is
/// retried with a growing delay. A worker ends when its sync reports the pod finished and no signal
/// came meanwhile. Thread-safe.
/// </summary>
public sealed class PodWorkers(Func<string, PodWorkerState, CancellationToken, Task<SyncOutcome>> sync, TimeSpan resyncPeriod, ILogger<PodWorkers> log)
    : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Worker> _workers = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The UIDs that have a worker now.</summary>
    public IReadOnlyCollection<string> Active { get { lock (_lock) return [.. _workers.Keys]; } }

    /// <summary>Asks for a sync of the pod soon (starting its worker if it has none).</summary>
    public void Signal(string uid)
    {
        if (string.IsNullOrEmpty(uid) || _stopping.IsCancellationRequested) return;
        lock (_lock)
        {
            if (!_workers.TryGetValue(uid, out var w))
            {
                w = new Worker(uid);
                _workers[uid] = w;
                w.Signals.Writer.TryWrite(true);
                w.Run = Task.Run(() => RunAsync(w, _stopping.Token), CancellationToken.None);
                return;
            }
            w.Signals.Writer.TryWrite(true);
        }
    }

    private async Task RunAsync(Worker w, CancellationToken ct)
    {
        var failures = 0;
        TimeSpan? next = null;
        while (!ct.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                wait.CancelAfter(next ?? resyncPeriod);
                try { await w.Signals.Reader.ReadAsync(wait.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
                catch (OperationCanceledException) { return; }
            }
            while (w.Signals.Reader.TryRead(out _)) { }
            try
            {
                var outcome = await sync(w.Uid, w.State, ct).ConfigureAwait(false);
                failures = 0;
                if (outcome.Finished)
                {
                    lock (_lock)
                    {
                        // A signal that arrived during the last sync means the pod came back (or changed): keep going.
                        if (!w.Signals.Reader.TryPeek(out _))
                        {
                            _workers.Remove(w.Uid);
                            return;
                        }
                    }
                }
                next = outcome.RequeueAfter;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                failures++;
                next = TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Min(failures, 8))));
                log.LogWarning("Sync of pod {Uid} failed (retry in {Delay}): {Error}", w.Uid, next, e.Message);
                log.LogDebug(e, "Sync of pod {Uid} failed", w.Uid);
            }
            if (next is { } d && d <= TimeSpan.Zero) w.Signals.Writer.TryWrite(true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        Task[] runs;
        lock (_lock) runs = [.. _workers.Values.Select(w => w.Run)];
        await Task.WhenAll(runs).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Worker(string uid)
    {
        public string Uid => uid;
        public Channel<bool> Signals { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        public PodWorkerState State { get; } = new();
        public Task Run { get; set; } = Task.CompletedTask;
    }
}
