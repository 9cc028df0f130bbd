using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>A pod that names its node (spec.nodeName) fits only that node.</summary>
public sealed class NodeName : IFilterPlugin, IEnqueueExtensions
{
    public const string Reason = "node(s) didn't match the requested node name";

    public string Name => "NodeName";
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } = [ClusterEvent.NodeAdd, ClusterEvent.NodeUpdate];

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node) =>
        pod.Pod.Spec?.NodeName is { Length: > 0 } wanted && wanted != node.Name ? Status.Unresolvable(Reason) : null;
}
