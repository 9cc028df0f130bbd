using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>The pod's host ports must be free on the node (a wildcard address conflicts with every address).</summary>
public sealed class NodePorts : IFilterPlugin, IEnqueueExtensions
{
    public const string Reason = "node(s) didn't have free ports for the requested pod ports";

    public string Name => "NodePorts";
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } = [ClusterEvent.NodeAdd, ClusterEvent.AssignedPodDelete];

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        foreach (var p in pod.HostPorts)
            if (node.PortConflicts(p)) return Status.Unschedulable(Reason);
        return null;
    }
}
