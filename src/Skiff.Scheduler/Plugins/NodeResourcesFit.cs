using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>How NodeResourcesFit scores: spread pods out (LeastAllocated, the default) or pack them (MostAllocated).</summary>
public enum ScoringStrategy { LeastAllocated, MostAllocated }

/// <summary>A resource that counts in scoring and its weight.</summary>
public sealed record ResourceWeight(string Name, int Weight);

/// <summary>
/// Filter: the node must have room for the pod's requests (cpu, memory, ephemeral storage, extended
/// resources, and one more pod), each shortfall reported as "Insufficient &lt;resource&gt;" or "Too many
/// pods". Score: LeastAllocated or MostAllocated over the configured resources (default cpu and memory,
/// weight 1 each), counting containers without requests as 100m / 200Mi.
/// </summary>
public sealed class NodeResourcesFit(ScoringStrategy strategy = ScoringStrategy.LeastAllocated, IReadOnlyList<ResourceWeight>? resources = null)
    : IFilterPlugin, IScorePlugin, IEnqueueExtensions
{
    public static readonly IReadOnlyList<ResourceWeight> DefaultResources = [new(Resource.Cpu, 1), new(Resource.MemoryName, 1)];
    private readonly IReadOnlyList<ResourceWeight> _resources = resources ?? DefaultResources;

    public string Name => "NodeResourcesFit";
    public ScoringStrategy Strategy => strategy;
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } =
        [ClusterEvent.NodeAdd, ClusterEvent.NodeUpdate, ClusterEvent.AssignedPodDelete, ClusterEvent.AssignedPodUpdate];

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (Fits(pod.Requests, node)) return null;
        var reasons = InsufficientResources(pod.Requests, node);
        return reasons.Count == 0 ? null : new Status(StatusCode.Unschedulable, reasons);
    }

    /// <summary>The allocation-free check of the hot path; <see cref="InsufficientResources"/> says why when it fails.</summary>
    public static bool Fits(Resource request, NodeInfo node)
    {
        var alloc = node.Allocatable;
        var used = node.Requested;
        if (node.Pods.Count + 1 > alloc.AllowedPods) return false;
        if (request.MilliCpu > 0 && request.MilliCpu > alloc.MilliCpu - used.MilliCpu) return false;
        if (request.Memory > 0 && request.Memory > alloc.Memory - used.Memory) return false;
        if (request.EphemeralStorage > 0 && request.EphemeralStorage > alloc.EphemeralStorage - used.EphemeralStorage) return false;
        if (request.Scalars is not null)
            foreach (var (name, amount) in request.Scalars)
                if (amount > 0 && amount > alloc.GetScalar(name) - used.GetScalar(name)) return false;
        return true;
    }

    /// <summary>The upstream reasons the node cannot take <paramref name="request"/> now (empty: it fits).</summary>
    public static List<string> InsufficientResources(Resource request, NodeInfo node)
    {
        var reasons = new List<string>(2);
        var alloc = node.Allocatable;
        var used = node.Requested;
        if (node.Pods.Count + 1 > alloc.AllowedPods) reasons.Add("Too many pods");
        if (request.MilliCpu > 0 && request.MilliCpu > alloc.MilliCpu - used.MilliCpu) reasons.Add("Insufficient cpu");
        if (request.Memory > 0 && request.Memory > alloc.Memory - used.Memory) reasons.Add("Insufficient memory");
        if (request.EphemeralStorage > 0 && request.EphemeralStorage > alloc.EphemeralStorage - used.EphemeralStorage)
            reasons.Add("Insufficient ephemeral-storage");
        if (request.Scalars is not null)
            foreach (var (name, amount) in request.Scalars)
                if (amount > 0 && amount > alloc.GetScalar(name) - used.GetScalar(name)) reasons.Add("Insufficient " + name);
        return reasons;
    }

    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        long total = 0, weights = 0;
        foreach (var (name, weight) in _resources)
        {
            var allocatable = node.Allocatable.Get(name);
            if (allocatable == 0) continue;
            var requested = RequestedWith(node, pod, name);
            total += weight * (strategy == ScoringStrategy.LeastAllocated
                ? LeastAllocated(requested, allocatable)
                : MostAllocated(requested, allocatable));
            weights += weight;
        }
        return weights == 0 ? 0 : total / weights;
    }

    /// <summary>What the node would have requested with the pod on it, with the non-zero defaults for cpu and memory.</summary>
    internal static long RequestedWith(NodeInfo node, PodInfo pod, string name) => name switch
    {
        Resource.Cpu => node.NonZeroRequested.MilliCpu + pod.NonZeroRequests.MilliCpu,
        Resource.MemoryName => node.NonZeroRequested.Memory + pod.NonZeroRequests.Memory,
        _ => node.Requested.Get(name) + pod.Requests.Get(name),
    };

    internal static long LeastAllocated(long requested, long capacity) =>
        capacity == 0 || requested > capacity ? 0 : (capacity - requested) * Scoring.MaxNodeScore / capacity;

    internal static long MostAllocated(long requested, long capacity) =>
        capacity == 0 ? 0 : Math.Min(requested, capacity) * Scoring.MaxNodeScore / capacity;
}
