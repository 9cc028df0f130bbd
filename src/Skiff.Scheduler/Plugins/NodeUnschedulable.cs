using Skiff.Api.Models.Core.V1;
using Skiff.Api.Taints;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>Rejects cordoned nodes (spec.unschedulable) unless the pod tolerates node.kubernetes.io/unschedulable.</summary>
public sealed class NodeUnschedulable : IFilterPlugin, IEnqueueExtensions
{
    public const string ReasonUnschedulable = "node(s) were unschedulable";
    private static readonly Taint UnschedulableTaint = new() { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" };

    public string Name => "NodeUnschedulable";
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } = [ClusterEvent.NodeAdd, ClusterEvent.NodeUpdate];

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (node.Node?.Spec?.Unschedulable != true) return null;
        return Tolerations.AnyTolerates(pod.Pod.Spec?.Tolerations, UnschedulableTaint) ? null : Status.Unresolvable(ReasonUnschedulable);
    }
}
