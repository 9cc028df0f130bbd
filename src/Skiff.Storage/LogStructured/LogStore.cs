using Microsoft.Extensions.Logging;

namespace Skiff.Storage.LogStructured;

/// <summary>
/// The etcd meaning of the datastore, implemented once over any <see cref="ILogDriver"/>: writes
/// are group-committed by <see cref="GroupCommitWriter"/>, reads go to pooled read sessions at a
/// committed revision, watches replay from memory (or the log) and then stream live events.
/// Thread-safe. Reads are at least as fresh as every write acknowledged before they started.
/// </summary>
public class LogStore : IStore
{
    private const int HistoryPageSize = 512;

    private readonly ILogDriver _driver;
    private readonly LogStoreOptions _options;
    private readonly ILogger? _logger;
    private readonly StoreRevisions _revisions;
    private readonly WatchHub _hub;
    private readonly GroupCommitWriter _writer;
    private readonly SemaphoreSlim _compactGate = new(1, 1);
    private readonly Compactor? _compactor;
    private int _disposed;

    protected LogStore(ILogDriver driver, LogStoreOptions options, ILogger? logger)
    {
        _driver = driver;
        _options = options;
        _logger = logger;
        _revisions = new StoreRevisions(driver.Writer.ReadHighWaterMark(), driver.Writer.ReadCompactRevision());
        _hub = new WatchHub(options.WatchRingCapacity, _revisions.Current);
        _writer = new GroupCommitWriter(driver.Writer, _hub, _revisions, options.MaxWriteBatch, logger);
        if (options.CompactInterval > TimeSpan.Zero) _compactor = new Compactor(this, options, logger);
    }

    public long CurrentRevision => _revisions.Current;

    public long CompactRevision => _revisions.Compact;

    /// <summary>Write transactions committed since open; fewer than the writes means group commit is working.</summary>
    public long CommittedWriteTransactions => _writer.CommittedTransactions;

    public Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken ct = default) =>
        Complete(ct, (key, revision), static (s, a) => s.Get(a.key, a.revision));

    public Task<ListResult> ListAsync(string prefix, string? startKey = null, long limit = 0, long revision = 0, CancellationToken ct = default) =>
        Complete(ct, (prefix, startKey, limit, revision), static (s, a) => s.List(a.prefix, a.startKey, a.limit, a.revision));

    public Task<long> CountAsync(string prefix, CancellationToken ct = default) =>
        Complete(ct, prefix, static (s, p) => s.Count(p));

    /// <summary>
    /// Runs a read synchronously (the driver's calls are short and blocking) and reports any
    /// failure through the task, as an async method would.
    /// </summary>
    private Task<T> Complete<TArg, T>(CancellationToken ct, TArg arg, Func<LogStore, TArg, T> read)
    {
        if (ct.IsCancellationRequested) return Task.FromCanceled<T>(ct);
        try
        {
            return Task.FromResult(read(this, arg));
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    private KeyValue? Get(string key, long revision)
    {
        var rev = ResolveReadRevision(revision);
        KeyValue? result;
        using (var reader = _driver.RentReader())
        {
            result = reader.TryGetLatest(key, rev, out var row) && !row.Deleted ? row.ToKeyValue() : null;
        }
        EnsureStillReadable(rev);
        return result;
    }

    private ListResult List(string prefix, string? startKey, long limit, long revision)
    {
        var rev = ResolveReadRevision(revision);
        var start = KeyRange.StartOf(prefix, startKey);
        var end = KeyRange.EndOf(prefix);
        var rows = new List<LogRow>(limit is > 0 and < 1024 ? (int)limit + 1 : 16);
        bool more = false;
        long remaining = 0;
        using (var reader = _driver.RentReader())
        {
            // One extra row tells whether more remain without a second query in the common case.
            reader.List(start, end, rev, limit > 0 ? limit + 1 : 0, rows);
            if (limit > 0 && rows.Count > limit)
            {
                rows.RemoveAt(rows.Count - 1);
                more = true;
                remaining = reader.Count(start, end, rev) - rows.Count;
            }
        }
        EnsureStillReadable(rev);
        var items = new KeyValue[rows.Count];
        for (var i = 0; i < items.Length; i++) items[i] = rows[i].ToKeyValue();
        return new ListResult(items, rev, more, remaining);
    }

    private long Count(string prefix)
    {
        var rev = _revisions.Current;
        using var reader = _driver.RentReader();
        return reader.Count(prefix, KeyRange.EndOf(prefix), rev);
    }

    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default) =>
        SubmitAsync(new PendingWrite(WriteKind.Create, key, value.ToArray(), 0, ct));

    public Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken ct = default) =>
        SubmitAsync(new PendingWrite(WriteKind.Update, key, value.ToArray(), expectedRevision, ct));

    public Task<WriteResult> DeleteAsync(string key, long expectedRevision = 0, CancellationToken ct = default) =>
        SubmitAsync(new PendingWrite(WriteKind.Delete, key, [], expectedRevision, ct));

    private Task<WriteResult> SubmitAsync(PendingWrite write)
    {
        if (write.CancellationToken.IsCancellationRequested) return Task.FromCanceled<WriteResult>(write.CancellationToken);
        try
        {
            _writer.Enqueue(write);
        }
        catch (ObjectDisposedException ex)
        {
            return Task.FromException<WriteResult>(ex);
        }
        return write.Completion.Task;
    }

    public IStoreWatch Watch(string prefix, long afterRevision)
    {
        var compact = _revisions.Compact;
        if (afterRevision < compact) throw new CompactedException(afterRevision, compact);
        var watch = new LogWatch(_hub, prefix, afterRevision, _options.WatcherBufferLimit);
        if (!_hub.TryAttach(watch, afterRevision))
        {
            // The ring no longer reaches back that far: read the gap from the log first.
            _ = Task.Run(() => CatchUpAsync(watch, prefix));
        }
        return watch;
    }

    /// <summary>
    /// Replays history from the log until the watch's position is covered by the in-memory ring,
    /// then attaches it for live events. Each page is read in one snapshot together with the
    /// compact revision, so a compaction racing the replay is noticed, never silently skipped.
    /// </summary>
    private async Task CatchUpAsync(LogWatch watch, string prefix)
    {
        var ct = watch.Stopping;
        var end = KeyRange.EndOf(prefix);
        var page = new List<HistoryRow>(HistoryPageSize);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var from = watch.Position;
                var upTo = _hub.Published;
                page.Clear();
                long compact;
                using (var reader = _driver.RentReader())
                {
                    compact = reader.ReadHistory(prefix, end, from, upTo, HistoryPageSize, page);
                }
                if (from < compact)
                {
                    watch.End(new CompactedException(from, compact));
                    return;
                }
                foreach (var row in page) await watch.WriteHistoryAsync(WriteApplier.ToEvent(row), ct).ConfigureAwait(false);
                if (page.Count < HistoryPageSize)
                {
                    watch.AdvanceTo(upTo);
                    if (_hub.TryAttach(watch, watch.Position)) return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger?.LogWarning(ex, "watch catch-up for {Prefix} failed", prefix);
            watch.End(ex);
        }
    }

    public async Task CompactAsync(long revision, CancellationToken ct = default)
    {
        var current = _revisions.Current;
        if (revision > current) throw new FutureRevisionException(revision, current);
        await _compactGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // In steps, so the writes queued meanwhile commit between them.
            var step = Math.Max(1, _options.CompactBatch);
            for (var done = _revisions.Compact; done < revision; done = _revisions.Compact)
            {
                ct.ThrowIfCancellationRequested();
                var work = new PendingCompaction(done, Math.Min(revision, done + step));
                _writer.Enqueue(work);
                await work.Completion.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            _compactGate.Release();
        }
    }

    private long ResolveReadRevision(long revision)
    {
        var current = _revisions.Current;
        if (revision <= 0) return current;
        if (revision > current) throw new FutureRevisionException(revision, current);
        EnsureStillReadable(revision);
        return revision;
    }

    private void EnsureStillReadable(long revision)
    {
        var compact = _revisions.Compact;
        if (revision < compact) throw new CompactedException(revision, compact);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_compactor is not null) await _compactor.DisposeAsync().ConfigureAwait(false);
        _writer.Dispose();
        _hub.Close();
        _driver.Dispose();
        GC.SuppressFinalize(this);
    }
}
