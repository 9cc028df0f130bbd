using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Api.Models.Core.V1;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Queue;

/// <summary>
/// Upstream's PriorityQueue: an active queue ordered by priority then age, a backoff queue ordered by
/// backoff expiry (1 s doubling to 10 s per attempt), and a pool of unschedulable pods that leave it
/// when a cluster event one of their rejecting plugins registered for happens (node added or changed,
/// an assigned pod deleted, ...) or after <see cref="SchedulingQueueOptions.MaxUnschedulableDuration"/>.
/// A pod that fails while an event arrived during its attempt goes to backoff instead of the pool, so no
/// event is lost. It also keeps the pods nominated to nodes by preemption. Safe from any thread.
/// </summary>
public sealed class SchedulingQueue : IPodNominator
{
    private readonly Lock _lock = new();
    private readonly SortedSet<QueuedPodInfo> _active = new(ActiveOrder.Instance);
    private readonly SortedSet<QueuedPodInfo> _backoff = new(BackoffOrder.Instance);
    private readonly Dictionary<string, QueuedPodInfo> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PodInfo Pod, string Node)> _nominated = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PodInfo>> _nominatedByNode = new(StringComparer.Ordinal);
    private readonly SchedulingQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<string, IReadOnlyList<ClusterEvent>?> _pluginEvents;
    private TaskCompletionSource? _waiter;
    private long _seq;
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;
    private int _nominatedCount;
    private bool _closed;

    /// <param name="pluginEvents">Plugin name → the events it registered (null: unknown plugin, every event counts).</param>
    public SchedulingQueue(SchedulingQueueOptions? options = null, TimeProvider? time = null,
        Func<string, IReadOnlyList<ClusterEvent>?>? pluginEvents = null)
    {
        _options = options ?? SchedulingQueueOptions.Default;
        _time = time ?? TimeProvider.System;
        _pluginEvents = pluginEvents ?? (_ => null);
    }

    public long SchedulingCycle { get { lock (_lock) return _schedulingCycle; } }
    public int ActiveCount { get { lock (_lock) return _active.Count; } }
    public int BackoffCount { get { lock (_lock) return _backoff.Count; } }
    public int UnschedulableCount { get { lock (_lock) return _unschedulable.Count; } }
    /// <summary>Pods known to the queue, including ones being scheduled now.</summary>
    public int Count { get { lock (_lock) return _byUid.Count; } }

    /// <summary>A new pending pod (or one the informer replays): to the active queue unless already known.</summary>
    public void Add(Pod pod)
    {
        var info = new PodInfo(pod);
        lock (_lock)
        {
            if (_byUid.TryGetValue(info.Uid, out var existing)) { UpdateLocked(existing, info); return; }
            var q = new QueuedPodInfo(info, _time.GetUtcNow(), ++_seq);
            _byUid[info.Uid] = q;
            ToActiveLocked(q);
        }
    }

    /// <summary>
    /// A pending pod changed. A pod waiting as unschedulable whose spec or labels changed is retried
    /// (status-only changes, such as our own condition updates, are not a reason).
    /// </summary>
    public void Update(Pod oldPod, Pod newPod)
    {
        var info = new PodInfo(newPod);
        lock (_lock)
        {
            if (!_byUid.TryGetValue(info.Uid, out var q))
            {
                q = new QueuedPodInfo(info, _time.GetUtcNow(), ++_seq);
                _byUid[info.Uid] = q;
                ToActiveLocked(q);
                return;
            }
            if (q.Where == QueuedPodInfo.Location.Unschedulable && SchedulingRelevantChange(oldPod, newPod))
            {
                _unschedulable.Remove(q.Uid);
                q.PodInfo = info;
                if (q.BackoffExpiry > _time.GetUtcNow()) ToBackoffLocked(q); else ToActiveLocked(q);
                return;
            }
            UpdateLocked(q, info);
        }
    }

    private void UpdateLocked(QueuedPodInfo q, PodInfo info)
    {
        // Priority is immutable, so the sort keys of the sets do not move.
        q.PodInfo = info;
        // An update during the attempt may be what makes it fit: do not park it as unschedulable.
        if (q.Where == QueuedPodInfo.Location.InFlight) _moveRequestCycle = _schedulingCycle;
    }

    public void Delete(Pod pod)
    {
        var uid = pod.Metadata?.Uid ?? "";
        lock (_lock)
        {
            DeleteNominatedLocked(uid);
            if (!_byUid.Remove(uid, out var q)) return;
            RemoveFromSetsLocked(q);
            q.Where = QueuedPodInfo.Location.None;
        }
    }

    /// <summary>Waits for the next pod to schedule; null once the queue is closed.</summary>
    public async Task<QueuedPodInfo?> PopAsync(CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_closed) return null;
                if (_active.Min is { } next)
                {
                    _active.Remove(next);
                    next.Where = QueuedPodInfo.Location.InFlight;
                    next.Attempts++;
                    _schedulingCycle++;
                    return next;
                }
                if (_waiter is null || _waiter.Task.IsCompleted) _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>The scheduling attempt of <paramref name="q"/> ended (bound, or requeued by <see cref="AddUnschedulable"/>).</summary>
    public void Done(QueuedPodInfo q)
    {
        lock (_lock)
        {
            if (q.Where != QueuedPodInfo.Location.InFlight) return;
            q.Where = QueuedPodInfo.Location.None;
            if (_byUid.TryGetValue(q.Uid, out var known) && ReferenceEquals(known, q)) _byUid.Remove(q.Uid);
        }
    }

    /// <summary>
    /// Puts back a pod whose attempt failed in cycle <paramref name="podSchedulingCycle"/>: to backoff after
    /// an error or when a move request came during the attempt, else among the unschedulable pods.
    /// </summary>
    public void AddUnschedulable(QueuedPodInfo q, IReadOnlySet<string> rejectingPlugins, long podSchedulingCycle, bool error = false)
    {
        lock (_lock)
        {
            if (q.Where != QueuedPodInfo.Location.InFlight || !_byUid.ContainsKey(q.Uid)) return; // deleted meanwhile
            var now = _time.GetUtcNow();
            q.UnschedulablePlugins = rejectingPlugins;
            q.BackoffExpiry = now + BackoffDuration(q.Attempts);
            if (error || _moveRequestCycle >= podSchedulingCycle) ToBackoffLocked(q);
            else
            {
                q.Where = QueuedPodInfo.Location.Unschedulable;
                q.UnschedulableSince = now;
                _unschedulable[q.Uid] = q;
            }
        }
    }

    /// <summary>Moves the unschedulable pods that <paramref name="ev"/> may help to the active or backoff queue.</summary>
    public void MoveAllToActiveOrBackoff(ClusterEvent ev, Func<PodInfo, bool>? preCheck = null)
    {
        lock (_lock)
        {
            _moveRequestCycle = _schedulingCycle;
            if (_unschedulable.Count == 0) return;
            var now = _time.GetUtcNow();
            List<QueuedPodInfo>? moved = null;
            foreach (var q in _unschedulable.Values)
            {
                if (!Interested(q, ev) || (preCheck is not null && !preCheck(q.PodInfo))) continue;
                (moved ??= []).Add(q);
            }
            if (moved is null) return;
            foreach (var q in moved)
            {
                _unschedulable.Remove(q.Uid);
                if (q.BackoffExpiry > now) ToBackoffLocked(q); else ToActiveLocked(q);
            }
        }
    }

    private bool Interested(QueuedPodInfo q, ClusterEvent ev)
    {
        if (ev.Resource == EventResource.WildCard || q.UnschedulablePlugins.Count == 0) return true;
        foreach (var plugin in q.UnschedulablePlugins)
        {
            var events = _pluginEvents(plugin);
            if (events is null) return true;
            foreach (var e in events)
                if (e.Matches(ev)) return true;
        }
        return false;
    }

    /// <summary>Moves pods whose backoff has ended to the active queue (run every second).</summary>
    public void FlushBackoffCompleted()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            while (_backoff.Min is { } q && q.BackoffExpiry <= now)
            {
                _backoff.Remove(q);
                ToActiveLocked(q);
            }
        }
    }

    /// <summary>Retries pods that stayed unschedulable longer than the maximum (run every 30 s).</summary>
    public void FlushUnschedulableLeftover()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var stale = _unschedulable.Values.Where(q => now - q.UnschedulableSince > _options.MaxUnschedulableDuration).ToList();
            foreach (var q in stale)
            {
                _unschedulable.Remove(q.Uid);
                if (q.BackoffExpiry > now) ToBackoffLocked(q); else ToActiveLocked(q);
            }
        }
    }

    /// <summary>Runs the periodic flushes until cancelled, then closes the queue.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var lastLeftover = _time.GetUtcNow();
        try
        {
            using var timer = new PeriodicTimer(_options.BackoffFlushInterval, _time);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                FlushBackoffCompleted();
                if (_time.GetUtcNow() - lastLeftover >= _options.UnschedulableFlushInterval)
                {
                    FlushUnschedulableLeftover();
                    lastLeftover = _time.GetUtcNow();
                }
            }
        }
        catch (OperationCanceledException) { }
        finally { Close(); }
    }

    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _waiter?.TrySetResult();
        }
    }

    /// <summary>1 s, 2 s, 4 s, ... up to the maximum, by attempt count (upstream's calculateBackoffDuration).</summary>
    public TimeSpan BackoffDuration(int attempts)
    {
        var d = _options.InitialBackoff;
        for (var i = 1; i < attempts; i++)
        {
            d *= 2;
            if (d >= _options.MaxBackoff) return _options.MaxBackoff;
        }
        return d > _options.MaxBackoff ? _options.MaxBackoff : d;
    }

    // ---- nominated pods ------------------------------------------------------------------

    public void AddNominatedPod(PodInfo pod, string nodeName)
    {
        lock (_lock)
        {
            DeleteNominatedLocked(pod.Uid);
            _nominated[pod.Uid] = (pod, nodeName);
            Volatile.Write(ref _nominatedCount, _nominated.Count);
            if (!_nominatedByNode.TryGetValue(nodeName, out var list)) _nominatedByNode[nodeName] = list = [];
            list.Add(pod);
        }
    }

    public void DeleteNominatedPodIfExists(string uid)
    {
        lock (_lock) DeleteNominatedLocked(uid);
    }

    public IReadOnlyList<PodInfo> NominatedPodsForNode(string nodeName)
    {
        // Called for every node of every cycle: skip the lock in the common case of no nominations at all.
        if (Volatile.Read(ref _nominatedCount) == 0) return [];
        lock (_lock) return _nominatedByNode.TryGetValue(nodeName, out var list) ? [.. list] : [];
    }

    private void DeleteNominatedLocked(string uid)
    {
        if (!_nominated.Remove(uid, out var entry)) return;
        Volatile.Write(ref _nominatedCount, _nominated.Count);
        if (_nominatedByNode.TryGetValue(entry.Node, out var list))
        {
            list.RemoveAll(p => p.Uid == uid);
            if (list.Count == 0) _nominatedByNode.Remove(entry.Node);
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    private void ToActiveLocked(QueuedPodInfo q)
    {
        RemoveFromSetsLocked(q);
        q.Seq = ++_seq;
        q.Where = QueuedPodInfo.Location.Active;
        _active.Add(q);
        _waiter?.TrySetResult();
    }

    private void ToBackoffLocked(QueuedPodInfo q)
    {
        RemoveFromSetsLocked(q);
        q.Seq = ++_seq;
        q.Where = QueuedPodInfo.Location.Backoff;
        _backoff.Add(q);
    }

    private void RemoveFromSetsLocked(QueuedPodInfo q)
    {
        switch (q.Where)
        {
            case QueuedPodInfo.Location.Active: _active.Remove(q); break;
            case QueuedPodInfo.Location.Backoff: _backoff.Remove(q); break;
            case QueuedPodInfo.Location.Unschedulable: _unschedulable.Remove(q.Uid); break;
        }
    }

    private static bool SchedulingRelevantChange(Pod a, Pod b)
    {
        if (!LabelsEqual(a.Metadata?.Labels, b.Metadata?.Labels)) return true;
        if (a.Spec is null || b.Spec is null) return a.Spec != b.Spec;
        return !ModelJson.SerializeToUtf8Bytes(a.Spec)
            .AsSpan().SequenceEqual(ModelJson.SerializeToUtf8Bytes(b.Spec));
    }

    private static bool LabelsEqual(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0)) return false;
        if (a is null || b is null) return true;
        foreach (var (k, v) in a)
            if (!b.TryGetValue(k, out var w) || w != v) return false;
        return true;
    }

    private sealed class ActiveOrder : IComparer<QueuedPodInfo>
    {
        public static readonly ActiveOrder Instance = new();
        public int Compare(QueuedPodInfo? x, QueuedPodInfo? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            var c = y!.PodInfo.Priority.CompareTo(x!.PodInfo.Priority);
            if (c != 0) return c;
            c = x.Timestamp.CompareTo(y.Timestamp);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }

    private sealed class BackoffOrder : IComparer<QueuedPodInfo>
    {
        public static readonly BackoffOrder Instance = new();
        public int Compare(QueuedPodInfo? x, QueuedPodInfo? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            var c = x!.BackoffExpiry.CompareTo(y!.BackoffExpiry);
            return c != 0 ? c : x.Seq.CompareTo(y.Seq);
        }
    }
}
