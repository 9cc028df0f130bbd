using Skiff.Api.Models.Core.V1;
using Skiff.Client.Informers;
using Skiff.Scheduler.Cache;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Queue;

namespace Skiff.Scheduler;

/// <summary>
/// Routes informer changes as upstream's eventhandlers.go: bound pods go to the cache (and free or take
/// room, which may wake unschedulable pods), pending pods of our profiles go to the queue, node changes go
/// to the cache and wake the pods that a node event may help. Handlers run on the informers' dispatchers.
/// </summary>
internal sealed class InformerEventHandlers(SchedulerCache cache, SchedulingQueue queue, IReadOnlySet<string> schedulerNames)
{
    private static bool Assigned(Pod p) => !string.IsNullOrEmpty(p.Spec?.NodeName);
    private static bool Terminal(Pod p) => p.Status?.Phase is "Succeeded" or "Failed";
    private bool Responsible(Pod p) => schedulerNames.Contains(p.Spec?.SchedulerName is { Length: > 0 } n ? n : SchedulerOptions.DefaultSchedulerName);
    private static bool HasInterPodConstraints(PodInfo p) => p.RequiredAffinityTerms.Count > 0 || p.Pod.Spec?.TopologySpreadConstraints is { Count: > 0 };

    public IResourceEventHandler<Pod> Pods => new ResourceEventHandler<Pod>
    {
        Added = (pod, _) => OnPod(null, pod),
        Updated = OnPod,
        Deleted = (pod, _) =>
        {
            if (Assigned(pod))
            {
                cache.RemovePod(pod);
                queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
            }
            else queue.Delete(pod);
        },
    };

    private void OnPod(Pod? old, Pod pod)
    {
        if (Assigned(pod))
        {
            if (old is not null && !Assigned(old)) queue.Delete(pod);
            if (Terminal(pod))
            {
                cache.RemovePod(pod);
                queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
                return;
            }
            cache.AddOrUpdatePod(pod);
            if (old is null || !Assigned(old))
                queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodAdd, HasInterPodConstraints);
            else if (!LabelsEqual(old, pod))
                queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodUpdate, HasInterPodConstraints);
            return;
        }
        if (!Responsible(pod) || Terminal(pod) || pod.Metadata?.DeletionTimestamp is not null)
        {
            queue.Delete(pod);
            return;
        }
        // Being bound right now: the informer will report it assigned shortly.
        if (cache.IsAssumed(pod.Metadata?.Uid ?? "")) return;
        if (old is null) queue.Add(pod); else queue.Update(old, pod);
    }

    private static bool LabelsEqual(Pod a, Pod b)
    {
        var x = a.Metadata?.Labels;
        var y = b.Metadata?.Labels;
        if ((x?.Count ?? 0) != (y?.Count ?? 0)) return false;
        return x is null || x.All(kv => y!.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    public IResourceEventHandler<Node> Nodes => new ResourceEventHandler<Node>
    {
        Added = (node, _) =>
        {
            cache.AddOrUpdateNode(node);
            queue.MoveAllToActiveOrBackoff(ClusterEvent.NodeAdd);
        },
        Updated = (old, node) =>
        {
            cache.AddOrUpdateNode(node);
            if (SchedulingRelevant(old, node)) queue.MoveAllToActiveOrBackoff(ClusterEvent.NodeUpdate);
        },
        Deleted = (node, _) => cache.RemoveNode(node.Metadata?.Name ?? ""),
    };

    /// <summary>Heartbeats do not wake pods; labels, taints, cordoning, capacity and conditions do.</summary>
    private static bool SchedulingRelevant(Node a, Node b)
    {
        static string Key(Node n) => string.Join("|",
            string.Join(",", (n.Metadata?.Labels ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
            string.Join(",", (n.Spec?.Taints ?? []).Select(t => $"{t.Key}={t.Value}:{t.Effect}")),
            n.Spec?.Unschedulable == true,
            string.Join(",", (n.Status?.Allocatable ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value.Value)),
            string.Join(",", (n.Status?.Conditions ?? []).Select(c => c.Type + "=" + c.Status)));
        return Key(a) != Key(b);
    }

    public IResourceEventHandler<T> For<T>(EventResource resource) where T : class => new ResourceEventHandler<T>
    {
        Added = (_, _) => queue.MoveAllToActiveOrBackoff(new ClusterEvent(resource, ActionType.Add)),
        Updated = (_, _) => queue.MoveAllToActiveOrBackoff(new ClusterEvent(resource, ActionType.Update)),
        Deleted = (_, _) => queue.MoveAllToActiveOrBackoff(new ClusterEvent(resource, ActionType.Delete)),
    };
}
