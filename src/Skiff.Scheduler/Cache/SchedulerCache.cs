using Skiff.Api.Models.Core.V1;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Cache;

/// <summary>
/// The scheduler's view of nodes and the pods placed on them, fed by the node and pod informers, plus
/// the pods it has assumed onto a node while their binding is in flight, so a second pod never sees
/// room that the first already took. An assumed pod is confirmed when the informer reports it bound,
/// or forgotten when its binding fails. Safe from any thread (one lock); <see cref="UpdateSnapshot"/>
/// hands a cycle consistent clones of the nodes that changed.
/// </summary>
public sealed class SchedulerCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Dictionary<string, PodState> _pods = new(StringComparer.Ordinal);
    private long _structureGeneration = NodeInfo.NextGeneration();

    private sealed class PodState(PodInfo pod, bool assumed)
    {
        public PodInfo Pod = pod;
        public bool Assumed = assumed;
        public bool BindingFinished;
    }

    public int NodeCount { get { lock (_lock) return _nodes.Values.Count(n => n.Node is not null); } }
    public int PodCount { get { lock (_lock) return _pods.Count; } }
    public int AssumedPodCount { get { lock (_lock) return _pods.Values.Count(p => p.Assumed); } }

    public void AddOrUpdateNode(Node node)
    {
        var name = node.Metadata?.Name ?? "";
        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var info))
            {
                _nodes[name] = info = new NodeInfo();
                _order.Add(name);
                _structureGeneration = NodeInfo.NextGeneration();
            }
            else if (info.Node is null) _structureGeneration = NodeInfo.NextGeneration();
            info.SetNode(node);
        }
    }

    public void RemoveNode(string name)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var info)) return;
            // Pods may still point at a deleted node until their own deletes arrive.
            if (info.Pods.Count == 0) { _nodes.Remove(name); _order.Remove(name); }
            else info.RemoveNode();
            _structureGeneration = NodeInfo.NextGeneration();
        }
    }

    /// <summary>An informer saw a bound pod (new, or confirming an assumed one).</summary>
    public void AddOrUpdatePod(Pod pod)
    {
        var info = new PodInfo(pod);
        if (info.NodeName.Length == 0) return;
        lock (_lock)
        {
            if (_pods.TryGetValue(info.Uid, out var state))
            {
                RemoveFromNodeLocked(state.Pod);
                state.Pod = info;
                state.Assumed = false;
            }
            else _pods[info.Uid] = new PodState(info, assumed: false);
            NodeFor(info.NodeName).AddPod(info);
        }
    }

    public void RemovePod(Pod pod)
    {
        var uid = pod.Metadata?.Uid ?? "";
        lock (_lock)
        {
            if (!_pods.Remove(uid, out var state)) return;
            RemoveFromNodeLocked(state.Pod);
        }
    }

    /// <summary>Places <paramref name="pod"/> (already carrying its node name) as if bound, until confirmed or forgotten.</summary>
    public void AssumePod(PodInfo pod)
    {
        lock (_lock)
        {
            if (_pods.ContainsKey(pod.Uid)) throw new InvalidOperationException($"pod {pod.Key} is already in the cache");
            _pods[pod.Uid] = new PodState(pod, assumed: true);
            NodeFor(pod.NodeName).AddPod(pod);
        }
    }

    public void FinishBinding(PodInfo pod)
    {
        lock (_lock)
            if (_pods.TryGetValue(pod.Uid, out var s) && s.Assumed) s.BindingFinished = true;
    }

    /// <summary>Takes back an assumed pod whose binding failed.</summary>
    public void ForgetPod(PodInfo pod)
    {
        lock (_lock)
        {
            if (!_pods.TryGetValue(pod.Uid, out var s) || !s.Assumed) return;
            _pods.Remove(pod.Uid);
            RemoveFromNodeLocked(s.Pod);
        }
    }

    public bool IsAssumed(string uid)
    {
        lock (_lock) return _pods.TryGetValue(uid, out var s) && s.Assumed;
    }

    /// <summary>Whether the cache has the pod placed on a node (bound or assumed).</summary>
    public bool Contains(string uid)
    {
        lock (_lock) return _pods.ContainsKey(uid);
    }

    /// <summary>
    /// Brings <paramref name="snapshot"/> up to date: nodes changed since its last update are cloned again,
    /// deleted ones dropped. Cost is one generation check per node plus one clone per changed node.
    /// </summary>
    public void UpdateSnapshot(Snapshot snapshot)
    {
        lock (_lock)
        {
            var changed = false;
            var since = snapshot.Generation;
            var newest = since;
            foreach (var (name, info) in _nodes)
            {
                if (info.Generation <= since) continue;
                snapshot.ByName[name] = info.Clone();
                newest = Math.Max(newest, info.Generation);
                changed = true;
            }
            if (_structureGeneration > since)
            {
                foreach (var name in snapshot.ByName.Keys.Where(k => !_nodes.ContainsKey(k)).ToList()) snapshot.ByName.Remove(name);
                newest = Math.Max(newest, _structureGeneration);
                changed = true;
            }
            if (!changed) return;
            var ordered = new List<NodeInfo>(_order.Count);
            foreach (var name in _order) ordered.Add(snapshot.ByName[name]);
            snapshot.Rebuild(ordered);
            snapshot.Generation = newest;
        }
    }

    private NodeInfo NodeFor(string name)
    {
        if (!_nodes.TryGetValue(name, out var info))
        {
            // A pod bound to a node the informer has not delivered yet: keep its usage until the node arrives.
            _nodes[name] = info = new NodeInfo(name);
            _order.Add(name);
            _structureGeneration = NodeInfo.NextGeneration();
        }
        return info;
    }

    private void RemoveFromNodeLocked(PodInfo pod)
    {
        if (!_nodes.TryGetValue(pod.NodeName, out var info)) return;
        info.RemovePod(pod.Uid);
        if (info.Node is null && info.Pods.Count == 0)
        {
            _nodes.Remove(pod.NodeName);
            _order.Remove(pod.NodeName);
            _structureGeneration = NodeInfo.NextGeneration();
        }
    }
}
