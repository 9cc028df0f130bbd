using Skiff.Api.Models.Core.V1;

namespace Skiff.Controllers.NodeLifecycle;

/// <summary>
/// The node lifecycle controller's decisions, with no I/O (upstream's nodelifecycle controller): which conditions a
/// node that stopped reporting gets, and which of the well-known taints its conditions call for.
/// </summary>
public static class NodeHealth
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string MemoryPressureTaint = "node.kubernetes.io/memory-pressure";
    public const string DiskPressureTaint = "node.kubernetes.io/disk-pressure";
    public const string PidPressureTaint = "node.kubernetes.io/pid-pressure";
    public const string NetworkUnavailableTaint = "node.kubernetes.io/network-unavailable";
    public const string UnschedulableTaint = "node.kubernetes.io/unschedulable";

    /// <summary>The conditions a kubelet reports and the controller sets to Unknown when it stops (upstream's nodeConditionTypes).</summary>
    public static readonly IReadOnlyList<string> KubeletConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    private static readonly string[] Managed =
        [NotReadyTaint, UnreachableTaint, MemoryPressureTaint, DiskPressureTaint, PidPressureTaint, NetworkUnavailableTaint, UnschedulableTaint];

    public static NodeCondition? Condition(Node node, string type) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>
    /// The conditions to write for a node whose kubelet stopped posting status: each kubelet condition not yet Unknown
    /// becomes Unknown ("NodeStatusUnknown", "Kubelet stopped posting node status.") and one never posted is added
    /// ("NodeStatusNeverUpdated", "Kubelet never posted node status."), its heartbeat the node's creation. Empty when
    /// every one is Unknown already.
    /// </summary>
    public static List<NodeCondition> UnknownConditions(Node node, DateTimeOffset now)
    {
        var changed = new List<NodeCondition>();
        foreach (var type in KubeletConditions)
        {
            var current = Condition(node, type);
            if (current is null)
                changed.Add(new NodeCondition
                {
                    Type = type, Status = "Unknown", Reason = "NodeStatusNeverUpdated", Message = "Kubelet never posted node status.",
                    LastHeartbeatTime = node.Metadata?.CreationTimestamp, LastTransitionTime = now,
                });
            else if (current.Status != "Unknown")
                changed.Add(new NodeCondition
                {
                    Type = type, Status = "Unknown", Reason = "NodeStatusUnknown", Message = "Kubelet stopped posting node status.",
                    LastHeartbeatTime = current.LastHeartbeatTime, LastTransitionTime = now,
                });
        }
        return changed;
    }

    /// <summary>
    /// The node's taints as its conditions call for: NoSchedule for Ready False (not-ready) or Unknown (unreachable),
    /// memory, disk and PID pressure, network unavailable and spec.unschedulable; NoExecute not-ready or unreachable
    /// (with the time added) while Ready is False or Unknown. Taints the controller does not manage are kept, and a
    /// managed taint that stays keeps its time added. Returns the list in a stable order: the others first, as they were.
    /// </summary>
    public static List<Taint> DesiredTaints(Node node, DateTimeOffset now)
    {
        var current = node.Spec?.Taints ?? [];
        var wanted = new List<(string Key, string Effect)>();
        var ready = Condition(node, "Ready")?.Status;
        if (ready == "False") wanted.AddRange([(NotReadyTaint, "NoSchedule"), (NotReadyTaint, "NoExecute")]);
        else if (ready == "Unknown") wanted.AddRange([(UnreachableTaint, "NoSchedule"), (UnreachableTaint, "NoExecute")]);
        foreach (var (type, key) in new[] { ("MemoryPressure", MemoryPressureTaint), ("DiskPressure", DiskPressureTaint), ("PIDPressure", PidPressureTaint), ("NetworkUnavailable", NetworkUnavailableTaint) })
            if (Condition(node, type)?.Status == "True") wanted.Add((key, "NoSchedule"));
        if (node.Spec?.Unschedulable == true) wanted.Add((UnschedulableTaint, "NoSchedule"));

        var result = current.Where(t => !Managed.Contains(t.Key)).ToList();
        foreach (var (key, effect) in wanted)
        {
            var kept = current.FirstOrDefault(t => t.Key == key && t.Effect == effect);
            result.Add(kept ?? new Taint { Key = key, Effect = effect, TimeAdded = effect == "NoExecute" ? now : null });
        }
        return result;
    }

    /// <summary>Whether two taint lists are the same taints (key, value, effect), in any order.</summary>
    public static bool SameTaints(IReadOnlyList<Taint> a, IReadOnlyList<Taint> b) =>
        a.Count == b.Count && a.Select(Key).Order(StringComparer.Ordinal).SequenceEqual(b.Select(Key).Order(StringComparer.Ordinal));

    private static string Key(Taint t) => $"{t.Key}={t.Value}:{t.Effect}";
}

/// <summary>
/// When each node was last heard from, by the controller's own clock (as upstream's nodeHealthData: a node's own
/// timestamps are not compared with this machine's clock): the probe time moves whenever the Ready condition's
/// heartbeat or the node's Lease renew time changes. Not thread-safe; the controller's one loop owns it.
/// </summary>
public sealed class NodeHeartbeats
{
    private readonly Dictionary<string, (string Beat, DateTimeOffset Probe)> _nodes = new(StringComparer.Ordinal);

    /// <summary>Records what <paramref name="node"/> shows now; returns the time it was last heard from.</summary>
    public DateTimeOffset Observe(string node, string beat, DateTimeOffset now)
    {
        if (_nodes.TryGetValue(node, out var seen) && seen.Beat == beat) return seen.Probe;
        _nodes[node] = (beat, now);
        return now;
    }

    /// <summary>Forgets every node not in <paramref name="nodes"/>.</summary>
    public void Retain(IReadOnlySet<string> nodes)
    {
        foreach (var gone in _nodes.Keys.Where(n => !nodes.Contains(n)).ToList()) _nodes.Remove(gone);
    }

    /// <summary>The heartbeat a node shows: its Ready condition's lastHeartbeatTime and its Lease's renewTime.</summary>
    public static string Beat(Node node, DateTimeOffset? leaseRenewTime) =>
        $"{NodeHealth.Condition(node, "Ready")?.LastHeartbeatTime?.ToUnixTimeMilliseconds()}|{leaseRenewTime?.ToUnixTimeMilliseconds()}";
}
