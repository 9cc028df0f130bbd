namespace Skiff.Storage.LogStructured;

/// <summary>
/// The most recent events, oldest first, in a fixed-size circle. Not thread-safe: the
/// <see cref="WatchHub"/> guards it with its lock.
/// </summary>
internal sealed class EventRing(int capacity, long floor)
{
    private readonly WatchEvent[] _items = new WatchEvent[Math.Max(1, capacity)];
    private int _head; // index of the oldest event
    private int _count;

    /// <summary>Every event with a revision above this one is in the ring.</summary>
    public long Floor { get; private set; } = floor;

    public void Add(WatchEvent e)
    {
        if (_count == _items.Length)
        {
            Floor = _items[_head].Revision;
            _items[_head] = e;
            _head = (_head + 1) % _items.Length;
        }
        else
        {
            _items[(_head + _count) % _items.Length] = e;
            _count++;
        }
    }

    /// <summary>Calls <paramref name="action"/> on each event above <paramref name="afterRevision"/>, oldest first.</summary>
    public void ForEachAfter<TState>(long afterRevision, TState state, Action<WatchEvent, TState> action)
    {
        // Revisions are increasing, so find the first one above afterRevision by binary search.
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_items[(_head + mid) % _items.Length].Revision <= afterRevision) lo = mid + 1; else hi = mid;
        }
        for (var i = lo; i < _count; i++) action(_items[(_head + i) % _items.Length], state);
    }
}
