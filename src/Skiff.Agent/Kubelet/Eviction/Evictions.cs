using System.Collections.Concurrent;

namespace Skiff.Agent.Kubelet.Eviction;

/// <summary>
/// Pods the kubelet decided to evict, by UID, with upstream's message and the grace period to stop them with (null:
/// the kubelet's minimum, as for hard thresholds and emptyDir limits), until their worker has stopped them and written
/// the Failed/Evicted status (from then on the phase says it). Thread-safe.
/// </summary>
public sealed class Evictions
{
    private readonly ConcurrentDictionary<string, (string Message, long? GraceSeconds)> _pending = new();

    /// <summary>False when the pod is already to be evicted (the first reason stays).</summary>
    public bool Add(string uid, string message, long? graceSeconds = null) => _pending.TryAdd(uid, (message, graceSeconds));

    public string? MessageFor(string uid) => _pending.TryGetValue(uid, out var e) ? e.Message : null;

    public long? GraceFor(string uid) => _pending.TryGetValue(uid, out var e) ? e.GraceSeconds : null;

    public void Forget(string uid) => _pending.TryRemove(uid, out _);
}
