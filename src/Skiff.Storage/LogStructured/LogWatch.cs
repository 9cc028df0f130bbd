using System.Threading.Channels;

namespace Skiff.Storage.LogStructured;

/// <summary>
/// One watcher: a bounded queue of events under one prefix. Events enter either from the
/// catch-up task (history from the log) or, once attached, from <see cref="WatchHub.Publish"/>;
/// never both at once, and never an event at or below the last one queued.
/// </summary>
internal sealed class LogWatch : IStoreWatch
{
    private readonly Channel<WatchEvent> _channel;
    private readonly string _prefix;
    private readonly int _limit;
    private readonly WatchHub _hub;
    private readonly CancellationTokenSource _stop = new();
    private long _position; // revision of the last event queued (or skipped as outside the prefix)
    private int _ended;

    public LogWatch(WatchHub hub, string prefix, long afterRevision, int limit)
    {
        _hub = hub;
        _prefix = prefix;
        _limit = limit;
        _position = afterRevision;
        _channel = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(limit)
        {
            SingleReader = false,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ChannelReader<WatchEvent> Events => _channel.Reader;

    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>Cancelled when the watch is disposed or ended; stops the catch-up task.</summary>
    public CancellationToken Stopping => _stop.Token;

    public long Position => _position;

    public bool Matches(string key) => key.StartsWith(_prefix, StringComparison.Ordinal);

    /// <summary>Queues history read from the log, waiting for room (the catch-up task may block; the writer never does).</summary>
    public async ValueTask WriteHistoryAsync(WatchEvent e, CancellationToken ct)
    {
        if (e.Revision <= _position) return;
        _position = e.Revision;
        if (Matches(e.Value.Key)) await _channel.Writer.WriteAsync(e, ct).ConfigureAwait(false);
    }

    /// <summary>Marks the log as read up to <paramref name="revision"/> even if no event there matched.</summary>
    public void AdvanceTo(long revision)
    {
        if (revision > _position) _position = revision;
    }

    public void SetPositionLocked(long revision) => AdvanceTo(revision);

    /// <summary>Offers live events; returns false (and ends the watch) if the watcher's buffer is full.</summary>
    public bool OfferLocked(List<WatchEvent> events)
    {
        foreach (var e in events)
        {
            if (!OfferLocked(e)) return false;
        }
        return true;
    }

    public bool OfferLocked(WatchEvent e)
    {
        if (IsEnded) return false;
        if (e.Revision <= _position) return true;
        _position = e.Revision;
        if (!Matches(e.Value.Key) || _channel.Writer.TryWrite(e)) return true;
        End(new WatchOverflowException(_limit));
        return false;
    }

    /// <summary>Ends the watch; the reader sees <paramref name="error"/> after draining what is queued.</summary>
    public void End(Exception? error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        _channel.Writer.TryComplete(error);
        _stop.Cancel();
    }

    public void Dispose()
    {
        _hub.Detach(this);
        // The token source is not disposed: the catch-up task may still be reading its token.
        End(null);
    }
}
