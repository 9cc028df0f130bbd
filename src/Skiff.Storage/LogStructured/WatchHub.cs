namespace Skiff.Storage.LogStructured;

/// <summary>
/// Fans committed events out to watchers and remembers the recent ones. Thread-safe: one lock
/// orders <see cref="Publish"/> against <see cref="TryAttach"/>, which is what makes the hand-over
/// from replay to live events free of gaps and duplicates.
/// </summary>
internal sealed class WatchHub
{
    private readonly Lock _gate = new();
    private readonly EventRing _ring;
    private readonly List<LogWatch> _watchers = [];
    private readonly List<LogWatch> _failed = [];
    private bool _closed;

    public WatchHub(int ringCapacity, long currentRevision)
    {
        _ring = new EventRing(ringCapacity, currentRevision);
        Published = currentRevision;
    }

    /// <summary>The newest revision handed to watchers. Everything up to it is committed.</summary>
    public long Published { get; private set; }

    /// <summary>Records a committed batch (in revision order) and offers it to every watcher.</summary>
    public void Publish(List<WatchEvent> events)
    {
        if (events.Count == 0) return;
        lock (_gate)
        {
            foreach (var e in events) _ring.Add(e);
            Published = events[^1].Revision;
            foreach (var w in _watchers)
            {
                if (!w.OfferLocked(events)) _failed.Add(w);
            }
            if (_failed.Count > 0)
            {
                foreach (var w in _failed) _watchers.Remove(w);
                _failed.Clear();
            }
        }
    }

    /// <summary>
    /// Registers <paramref name="watch"/> for live events if the ring still holds every event after
    /// <paramref name="afterRevision"/>, replaying those first. Returns false if the ring has moved on
    /// (the caller must read more history from the log first).
    /// </summary>
    public bool TryAttach(LogWatch watch, long afterRevision)
    {
        lock (_gate)
        {
            if (_closed)
            {
                watch.End(null);
                return true;
            }
            if (afterRevision < _ring.Floor) return false;
            watch.SetPositionLocked(afterRevision);
            _ring.ForEachAfter(afterRevision, watch, static (e, w) => w.OfferLocked(e));
            if (!watch.IsEnded) _watchers.Add(watch);
            return true;
        }
    }

    public void Detach(LogWatch watch)
    {
        lock (_gate) _watchers.Remove(watch);
    }

    /// <summary>Ends every watch (the store is closing).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var w in _watchers) w.End(null);
            _watchers.Clear();
        }
    }
}
