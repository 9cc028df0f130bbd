using System.Collections.Concurrent;

namespace Skiff.Agent.Kubelet.Eviction;

/// <summary>
/// Pods the kubelet decided to evict, by UID, with upstream's message, until their worker has stopped them and
/// written the Failed/Evicted status (from then on the phase says it). Thread-safe.
/// </summary>
public sealed class Evictions
{
    private readonly ConcurrentDictionary<string, string> _pending = new();

    /// <summary>False when the pod is already to be evicted (the first reason stays).</summary>
    public bool Add(string uid, string message) => _pending.TryAdd(uid, message);

    public string? MessageFor(string uid) => _pending.GetValueOrDefault(uid);

    public void Forget(string uid) => _pending.TryRemove(uid, out _);
}
