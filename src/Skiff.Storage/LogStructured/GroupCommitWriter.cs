using Microsoft.Extensions.Logging;

namespace Skiff.Storage.LogStructured;

/// <summary>
/// The only writer. One dedicated thread drains every pending write into one transaction,
/// commits once (one fsync for the whole group), then publishes the events and completes each
/// caller. Each write still gets its own revision and its own compare check, in queue order.
/// Thread-safe to enqueue from anywhere.
/// </summary>
internal sealed class GroupCommitWriter : IDisposable
{
    private readonly ILogWriteSession _session;
    private readonly WatchHub _hub;
    private readonly StoreRevisions _revisions;
    private readonly int _maxBatch;
    private readonly ILogger? _logger;
    private readonly object _queueGate = new();
    private readonly Thread _thread;
    private readonly List<WatchEvent> _events = [];
    private List<PendingWork> _incoming = [];
    private List<PendingWork> _draining = [];
    private bool _closing;
    private long _transactions;

    public GroupCommitWriter(ILogWriteSession session, WatchHub hub, StoreRevisions revisions, int maxBatch, ILogger? logger)
    {
        _session = session;
        _hub = hub;
        _revisions = revisions;
        _maxBatch = Math.Max(1, maxBatch);
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "skiff-store-writer" };
        _thread.Start();
    }

    /// <summary>Write transactions committed so far (how well writes are being grouped).</summary>
    public long CommittedTransactions => Interlocked.Read(ref _transactions);

    public void Enqueue(PendingWork work)
    {
        lock (_queueGate)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            _incoming.Add(work);
            if (_incoming.Count == 1) Monitor.Pulse(_queueGate);
        }
    }

    private void Run()
    {
        while (true)
        {
            lock (_queueGate)
            {
                while (_incoming.Count == 0 && !_closing) Monitor.Wait(_queueGate);
                if (_incoming.Count == 0) return;
                (_incoming, _draining) = (_draining, _incoming);
            }
            try
            {
                Process(_draining);
            }
            catch (Exception ex)
            {
                // Process fails individual items itself; this only guards the loop.
                _logger?.LogError(ex, "store writer loop failed");
                foreach (var w in _draining) w.Fail(ex);
            }
            _draining.Clear();
        }
    }

    private void Process(List<PendingWork> items)
    {
        var i = 0;
        while (i < items.Count)
        {
            if (items[i] is PendingCompaction c)
            {
                Compact(c);
                i++;
                continue;
            }
            var end = i;
            while (end < items.Count && end - i < _maxBatch && items[end] is PendingWrite) end++;
            CommitWrites(items, i, end);
            i = end;
        }
    }

    private void CommitWrites(List<PendingWork> items, int from, int to)
    {
        var revision = _revisions.Current;
        _events.Clear();
        try
        {
            _session.Begin();
            for (var k = from; k < to; k++)
            {
                var w = (PendingWrite)items[k];
                // A caller that gave up before its turn gets no revision; once applied, a write is reported.
                if (w.CancellationToken.IsCancellationRequested) { w.Skipped = true; continue; }
                w.Result = WriteApplier.Apply(_session, w, ref revision, _events);
            }
            _session.Commit();
            Interlocked.Increment(ref _transactions);
        }
        catch (Exception ex)
        {
            _logger?.LogError(ex, "store write transaction of {Count} writes failed", to - from);
            TryRollback();
            for (var k = from; k < to; k++) items[k].Fail(ex);
            return;
        }

        // Order matters: the revision is raised and the events published before any caller
        // learns of its write, so a watch started after an acknowledged write sees it.
        _revisions.Current = revision;
        _hub.Publish(_events);
        for (var k = from; k < to; k++)
        {
            var w = (PendingWrite)items[k];
            if (w.Skipped) w.Completion.TrySetCanceled(w.CancellationToken);
            else w.Completion.TrySetResult(w.Result);
        }
    }

    private void Compact(PendingCompaction c)
    {
        var previous = _revisions.Compact;
        var after = Math.Max(c.After, previous);
        if (c.UpTo <= after)
        {
            c.Completion.TrySetResult();
            return;
        }
        try
        {
            _session.Begin();
            _session.Compact(after, c.UpTo);
            // Raised before commit: a read racing the commit then gets 410, never a half-compacted answer.
            _revisions.Compact = c.UpTo;
            _session.Commit();
            c.Completion.TrySetResult();
        }
        catch (Exception ex)
        {
            _revisions.Compact = previous;
            TryRollback();
            _logger?.LogError(ex, "store compaction to {Revision} failed", c.UpTo);
            c.Fail(ex);
        }
    }

    private void TryRollback()
    {
        try { _session.Rollback(); }
        catch (Exception ex) { _logger?.LogWarning(ex, "rollback failed"); }
    }

    /// <summary>Finishes the queued work, then stops the thread. Work enqueued afterwards is refused.</summary>
    public void Dispose()
    {
        lock (_queueGate)
        {
            _closing = true;
            Monitor.Pulse(_queueGate);
        }
        _thread.Join();
    }
}
