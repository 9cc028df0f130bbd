namespace Skiff.Client.WorkQueue;

/// <summary>
/// A FIFO of work items (usually object keys) with upstream's de-duplication: an item added while it waits
/// is not queued twice; an item added while a worker processes it is queued again only after that worker's
/// <see cref="Done"/>, so no two workers ever hold the same item. Safe from any thread.
/// </summary>
public class WorkQueue<T> where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Queue<TaskCompletionSource<bool>> _waiters = new();
    private TaskCompletionSource? _drained;
    private bool _shuttingDown;

    /// <summary>Items waiting (not counting those being processed).</summary>
    public int Count { get { lock (_lock) return _queue.Count; } }

    public bool ShuttingDown { get { lock (_lock) return _shuttingDown; } }

    /// <summary>Queues <paramref name="item"/> unless it is already waiting; ignored after shutdown.</summary>
    public void Add(T item)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(item)) return;
            if (_processing.Contains(item)) return;
            _queue.Enqueue(item);
            WakeOneLocked();
        }
    }

    /// <summary>
    /// Waits for an item and marks it as being processed; the caller must call <see cref="Done"/> with it.
    /// Returns <c>ShutDown = true</c> (and no item) once the queue is shut down and empty.
    /// </summary>
    public async ValueTask<(T Item, bool ShutDown)> GetAsync(CancellationToken ct = default)
    {
        while (true)
        {
            TaskCompletionSource<bool> waiter;
            lock (_lock)
            {
                if (_queue.TryDequeue(out var item))
                {
                    _processing.Add(item);
                    _dirty.Remove(item);
                    return (item, false);
                }
                if (_shuttingDown) return (default!, true);
                waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
            using (ct.Register(static w => ((TaskCompletionSource<bool>)w!).TrySetCanceled(), waiter))
                await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Ends processing of <paramref name="item"/>; if it was added meanwhile, it is queued again now.</summary>
    public void Done(T item)
    {
        lock (_lock)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item))
            {
                _queue.Enqueue(item);
                WakeOneLocked();
            }
            if (_processing.Count == 0) _drained?.TrySetResult();
        }
    }

    /// <summary>
    /// Stops accepting items and wakes waiting workers; items already queued are still handed out. With
    /// <paramref name="drain"/>, completes only when no item is being processed.
    /// </summary>
    public virtual Task ShutDownAsync(bool drain = true, CancellationToken ct = default)
    {
        Task wait = Task.CompletedTask;
        lock (_lock)
        {
            _shuttingDown = true;
            while (_waiters.TryDequeue(out var w)) w.TrySetResult(true);
            if (drain && _processing.Count > 0)
            {
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _drained.Task;
            }
        }
        return wait.WaitAsync(ct);
    }

    private void WakeOneLocked()
    {
        // A waiter whose token fired refuses the wake-up; hand it to the next one.
        while (_waiters.TryDequeue(out var w))
            if (w.TrySetResult(true)) return;
    }
}
