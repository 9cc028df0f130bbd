namespace Skiff.Agent.Kubelet;

/// <summary>
/// Per-key exponential backoff as upstream's flowcontrol.Backoff, which the kubelet uses for crash
/// loops and image pulls: the first failure allows an immediate retry and arms <c>initial</c>; each
/// further failure doubles the delay up to <c>max</c>; a key untouched for twice the maximum starts
/// over. Delays are measured from the failure's own time (a container's finishedAt), so a kubelet
/// that noticed late does not wait longer. Thread-safe.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan max, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = [];

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The key's current delay; zero when it has none.</summary>
    public TimeSpan Get(string key)
    {
        lock (_lock) return _entries.TryGetValue(key, out var e) && !IsStale(e) ? e.Delay : TimeSpan.Zero;
    }

    /// <summary>Records a failure at <paramref name="eventTime"/>: arms the initial delay or doubles it.</summary>
    public void Next(string key, DateTimeOffset eventTime)
    {
        lock (_lock)
        {
            _entries[key] = _entries.TryGetValue(key, out var e) && !IsStale(e)
                ? new Entry(Min(e.Delay * 2, max), eventTime)
                : new Entry(initial, eventTime);
        }
    }

    /// <summary>True while less than the key's delay has passed since <paramref name="eventTime"/>.</summary>
    public bool IsInBackoffSince(string key, DateTimeOffset eventTime)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var e) || IsStale(e)) return false;
            return Now - eventTime < e.Delay;
        }
    }

    /// <summary>When the backoff that started at <paramref name="eventTime"/> ends.</summary>
    public DateTimeOffset RetryAt(string key, DateTimeOffset eventTime) => eventTime + Get(key);

    public void Reset(string key)
    {
        lock (_lock) _entries.Remove(key);
    }

    /// <summary>Forgets every key whose name starts with <paramref name="prefix"/> (a deleted pod's).</summary>
    public void ResetPrefix(string prefix)
    {
        lock (_lock)
            foreach (var k in _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList()) _entries.Remove(k);
    }

    private bool IsStale(Entry e) => Now - e.LastUpdate > max * 2;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private readonly record struct Entry(TimeSpan Delay, DateTimeOffset LastUpdate);
}
