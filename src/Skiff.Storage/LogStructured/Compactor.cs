using Microsoft.Extensions.Logging;

namespace Skiff.Storage.LogStructured;

/// <summary>
/// Periodically compacts the store, keeping at least <see cref="LogStoreOptions.CompactKeep"/>
/// revisions and <see cref="LogStoreOptions.CompactMinAge"/> of history. The age rule works from
/// samples of the revision taken at each tick, so right after a start nothing is compacted until
/// the window has passed once.
/// </summary>
internal sealed class Compactor : IAsyncDisposable
{
    private readonly IStore _store;
    private readonly LogStoreOptions _options;
    private readonly ILogger? _logger;
    private readonly Queue<(DateTimeOffset At, long Revision)> _samples = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Compactor(IStore store, LogStoreOptions options, ILogger? logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.CompactInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var target = NextTarget(DateTimeOffset.UtcNow, _store.CurrentRevision);
                if (target <= _store.CompactRevision) continue;
                try
                {
                    await _store.CompactAsync(target, ct).ConfigureAwait(false);
                    _logger?.LogDebug("compacted store to revision {Revision}", target);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger?.LogWarning(ex, "compaction to {Revision} failed; will retry", target);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>The newest revision that is both old enough and far enough behind <paramref name="current"/>.</summary>
    internal long NextTarget(DateTimeOffset now, long current)
    {
        _samples.Enqueue((now, current));
        var cutoff = now - _options.CompactMinAge;
        // Keep exactly one sample at or before the cutoff: the newest such one.
        while (_samples.Count > 1 && _samples.ElementAt(1).At <= cutoff) _samples.Dequeue();
        var head = _samples.Peek();
        var byAge = head.At <= cutoff ? head.Revision : 0;
        return Math.Min(current - _options.CompactKeep, byAge);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
