using Microsoft.Extensions.Logging;
using Skiff.Client.WorkQueue;

namespace Skiff.Controllers.Common;

/// <summary>
/// The loop every level-triggered controller shares: event handlers add items (usually keys
/// "ns/name") to a rate-limited queue; workers take one item at a time (never the same item twice
/// at once), reconcile it, and on failure put it back with per-item exponential backoff. Thread-safe.
/// </summary>
public sealed class KeyedWorkers<T>(string name, Func<T, CancellationToken, Task> reconcile, ILogger log) where T : notnull
{
    private readonly RateLimitingQueue<T> _queue = new();

    public void Enqueue(T key) => _queue.Add(key);

    public void EnqueueAfter(T key, TimeSpan delay) => _queue.AddAfter(key, delay);

    /// <summary>Runs <paramref name="workers"/> workers until cancelled, then shuts the queue down.</summary>
    public async Task RunAsync(int workers, CancellationToken ct)
    {
        var tasks = Enumerable.Range(0, workers).Select(_ => WorkAsync(ct)).ToList();
        try { await Task.Delay(Timeout.Infinite, ct); }
        catch (OperationCanceledException) { }
        await _queue.ShutDownAsync(drain: false);
        await Task.WhenAll(tasks);
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        while (true)
        {
            T key;
            try
            {
                var (next, shutDown) = await _queue.GetAsync(ct);
                if (shutDown) return;
                key = next;
            }
            catch (OperationCanceledException) { return; }
            try
            {
                await reconcile(key, ct);
                _queue.Forget(key);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogInformation("{Controller}: will retry {Key}: {Error}", name, key, e.Message);
                _queue.AddRateLimited(key);
            }
            finally { _queue.Done(key); }
        }
    }
}

/// <summary>The "namespace/name" keys controllers queue (cluster-scoped objects: just the name).</summary>
public static class KeyedWorkers
{
    public static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    public static (string? Namespace, string Name) Split(string key) =>
        key.IndexOf('/') is var i and >= 0 ? (key[..i], key[(i + 1)..]) : (null, key);
}
