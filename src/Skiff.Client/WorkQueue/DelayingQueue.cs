namespace Skiff.Client.WorkQueue;

/// <summary>
/// A <see cref="WorkQueue{T}"/> that can also add items later (<see cref="AddAfter"/>); an item waiting
/// to be added keeps its earliest due time. Time comes from a <see cref="TimeProvider"/> (fakeable in tests).
/// Safe from any thread.
/// </summary>
public class DelayingQueue<T> : WorkQueue<T> where T : notnull
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<T, DateTimeOffset> _waiting = new();
    private readonly Dictionary<T, DateTimeOffset> _dueAt = [];
    private readonly SemaphoreSlim _changed = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public DelayingQueue(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        _loop = Task.Run(() => WaitLoopAsync(_stop.Token));
    }

    protected TimeProvider Time { get; }

    /// <summary>Items waiting for their delay to pass.</summary>
    public int WaitingCount { get { lock (_lock) return _dueAt.Count; } }

    /// <summary>Adds <paramref name="item"/> after <paramref name="delay"/> (at once when not positive).</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (ShuttingDown) return;
        if (delay <= TimeSpan.Zero) { Add(item); return; }
        var due = Time.GetUtcNow() + delay;
        lock (_lock)
        {
            if (_dueAt.TryGetValue(item, out var existing) && existing <= due) return;
            _dueAt[item] = due;
            // A superseded entry stays in the heap and is skipped when its time comes.
            _waiting.Enqueue(item, due);
        }
        _changed.Release();
    }

    public override async Task ShutDownAsync(bool drain = true, CancellationToken ct = default)
    {
        _stop.Cancel();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        await base.ShutDownAsync(drain, ct).ConfigureAwait(false);
    }

    private async Task WaitLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait = Timeout.InfiniteTimeSpan;
            var ready = new List<T>();
            lock (_lock)
            {
                var now = Time.GetUtcNow();
                while (_waiting.TryPeek(out var item, out var due))
                {
                    if (!_dueAt.TryGetValue(item, out var current) || current != due) { _waiting.Dequeue(); continue; }
                    if (due > now) { wait = due - now; break; }
                    _waiting.Dequeue();
                    _dueAt.Remove(item);
                    ready.Add(item);
                }
            }
            foreach (var item in ready) Add(item);
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var delay = wait == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, tick.Token) : Task.Delay(wait, Time, tick.Token);
            var signalled = _changed.WaitAsync(tick.Token);
            try { await Task.WhenAny(delay, signalled).ConfigureAwait(false); }
            finally { tick.Cancel(); }
            // A consumed signal must not be lost; a cancelled wait consumed none.
            try { await signalled.ConfigureAwait(false); } catch (OperationCanceledException) { }
            try { await delay.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
    }
}
