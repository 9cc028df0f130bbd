using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Controllers.NodeLifecycle;

namespace Skiff.Controllers.Tests.NodeLifecycle;

public sealed class NodeHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static Node N(bool unschedulable = false, IEnumerable<Taint>? taints = null, params (string Type, string Status)[] conditions) => new()
    {
        Metadata = new ObjectMeta { Name = "n1", CreationTimestamp = T0.AddHours(-1) },
        Spec = new NodeSpec { Unschedulable = unschedulable ? true : null, Taints = taints?.ToList() },
        Status = new NodeStatus
        {
            Conditions = [.. conditions.Select(c => new NodeCondition { Type = c.Type, Status = c.Status, Reason = "KubeletSays", LastHeartbeatTime = T0.AddMinutes(-2) })],
        },
    };

    [Fact]
    public void A_silent_nodes_kubelet_conditions_become_Unknown_and_missing_ones_are_added()
    {
        var node = N(conditions: [("Ready", "True"), ("MemoryPressure", "False"), ("DiskPressure", "Unknown")]);
        var changed = NodeHealth.UnknownConditions(node, T0);
        Assert.Equal(["Ready", "MemoryPressure", "PIDPressure"], changed.Select(c => c.Type)); // DiskPressure is Unknown already
        var ready = changed[0];
        Assert.Equal(("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal((T0.AddMinutes(-2), T0), (ready.LastHeartbeatTime!.Value, ready.LastTransitionTime!.Value)); // the heartbeat is kept
        var pid = changed[2];
        Assert.Equal(("Unknown", "NodeStatusNeverUpdated", "Kubelet never posted node status."), (pid.Status, pid.Reason, pid.Message));
        Assert.Equal(T0.AddHours(-1), pid.LastHeartbeatTime);

        Assert.Empty(NodeHealth.UnknownConditions(N(conditions: [("Ready", "Unknown"), ("MemoryPressure", "Unknown"), ("DiskPressure", "Unknown"), ("PIDPressure", "Unknown")]), T0));
    }

    [Fact]
    public void The_taints_follow_the_conditions_and_others_are_kept()
    {
        var custom = new Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" };
        var healthy = N(taints: [custom], conditions: [("Ready", "True"), ("MemoryPressure", "False")]);
        Assert.Equal(["dedicated=gpu:NoSchedule"], NodeHealth.DesiredTaints(healthy, T0).Select(S));

        var unknown = N(taints: [custom], conditions: [("Ready", "Unknown"), ("DiskPressure", "True")]);
        var taints = NodeHealth.DesiredTaints(unknown, T0);
        Assert.Equal(["dedicated=gpu:NoSchedule", "node.kubernetes.io/unreachable=:NoSchedule", "node.kubernetes.io/unreachable=:NoExecute",
            "node.kubernetes.io/disk-pressure=:NoSchedule"], taints.Select(S));
        Assert.Equal(T0, taints.Single(t => t.Effect == "NoExecute").TimeAdded); // NoExecute carries the time it was added
        Assert.Null(taints.Single(t => t.Key == NodeHealth.UnreachableTaint && t.Effect == "NoSchedule").TimeAdded);

        // Ready False swaps unreachable for not-ready; a taint that stays keeps its time added.
        var notReady = N(taints: taints, conditions: [("Ready", "False"), ("DiskPressure", "True"), ("MemoryPressure", "True"), ("PIDPressure", "True")]);
        var next = NodeHealth.DesiredTaints(notReady, T0.AddMinutes(1));
        Assert.Equal(["dedicated=gpu:NoSchedule", "node.kubernetes.io/not-ready=:NoSchedule", "node.kubernetes.io/not-ready=:NoExecute",
            "node.kubernetes.io/memory-pressure=:NoSchedule", "node.kubernetes.io/disk-pressure=:NoSchedule", "node.kubernetes.io/pid-pressure=:NoSchedule"], next.Select(S));
        Assert.Equal(T0.AddMinutes(1), next.Single(t => t.Effect == "NoExecute").TimeAdded);
        var again = NodeHealth.DesiredTaints(N(taints: next, conditions: [("Ready", "False")]), T0.AddMinutes(2));
        Assert.Equal(T0.AddMinutes(1), again.Single(t => t.Effect == "NoExecute").TimeAdded);

        // Cordoned, and back to health: only unschedulable is left of the managed ones.
        Assert.Equal(["dedicated=gpu:NoSchedule", "node.kubernetes.io/unschedulable=:NoSchedule"], NodeHealth.DesiredTaints(N(true, next, ("Ready", "True")), T0).Select(S));
        Assert.True(NodeHealth.SameTaints(taints, [.. Enumerable.Reverse(taints)]));
        Assert.False(NodeHealth.SameTaints(taints, next));
    }

    [Fact]
    public void A_node_is_heard_from_when_its_heartbeat_or_lease_moves_by_this_controllers_clock()
    {
        var beats = new NodeHeartbeats();
        var node = N(conditions: [("Ready", "True")]);
        var lease = T0.AddSeconds(-30);
        Assert.Equal(T0, beats.Observe("n1", NodeHeartbeats.Beat(node, lease), T0));
        Assert.Equal(T0, beats.Observe("n1", NodeHeartbeats.Beat(node, lease), T0.AddSeconds(40))); // nothing moved
        Assert.Equal(T0.AddSeconds(45), beats.Observe("n1", NodeHeartbeats.Beat(node, lease.AddSeconds(10)), T0.AddSeconds(45)));
        beats.Retain(new HashSet<string>());
        Assert.Equal(T0.AddSeconds(50), beats.Observe("n1", NodeHeartbeats.Beat(node, lease.AddSeconds(10)), T0.AddSeconds(50))); // forgotten: new again
    }

    private static string S(Taint t) => $"{t.Key}={t.Value}:{t.Effect}";
}
