using Skiff.Api.Models.Core.V1;

namespace Skiff.Scheduler.Framework;

/// <summary>A scheduling plugin (upstream's framework.Plugin). Plugins are stateless between cycles and safe from any thread.</summary>
public interface IPlugin
{
    string Name { get; }
}

/// <summary>Runs once per cycle before filtering; may narrow the nodes to consider or reject the pod outright.</summary>
public interface IPreFilterPlugin : IPlugin
{
    /// <returns>null (success), <see cref="Status.SkipStatus"/>, or a rejection that applies to every node.</returns>
    Status? PreFilter(CycleState state, PodInfo pod, Snapshot snapshot);
}

/// <summary>Lets preemption tell a PreFilter plugin's cycle state that a pod was added to or removed from a node.</summary>
public interface IPreFilterExtensions : IPlugin
{
    void AddPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node);
    void RemovePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node);
}

/// <summary>Decides whether the pod fits one node. Called concurrently for different nodes.</summary>
public interface IFilterPlugin : IPlugin
{
    Status? Filter(CycleState state, PodInfo pod, NodeInfo node);
}

/// <summary>Runs when no node fits (DefaultPreemption).</summary>
public interface IPostFilterPlugin : IPlugin
{
    Task<PostFilterResult> PostFilterAsync(CycleState state, PodInfo pod, Snapshot snapshot, IReadOnlyDictionary<string, Status> nodeStatuses, CancellationToken ct);
}

/// <summary>The outcome of a PostFilter: the node nominated for the pod (null: none), and a message for the FitError.</summary>
public sealed record PostFilterResult(string? NominatedNodeName, Status? Status);

/// <summary>Runs once before scoring with the feasible nodes.</summary>
public interface IPreScorePlugin : IPlugin
{
    Status? PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, Snapshot snapshot);
}

/// <summary>Ranks feasible nodes; <see cref="NormalizeScores"/> maps the raw scores to 0..100.</summary>
public interface IScorePlugin : IPlugin
{
    long Score(CycleState state, PodInfo pod, NodeInfo node);
    /// <summary>Rescales <paramref name="scores"/> in place to 0..<see cref="Scoring.MaxNodeScore"/> (nothing when already in range).</summary>
    void NormalizeScores(CycleState state, PodInfo pod, Span<long> scores) { }
}

/// <summary>Claims resources for the pod on the chosen node before binding (and releases them if binding fails).</summary>
public interface IReservePlugin : IPlugin
{
    Status? Reserve(CycleState state, PodInfo pod, string nodeName);
    void Unreserve(CycleState state, PodInfo pod, string nodeName);
}

/// <summary>Work that must be done before the binding (e.g. binding volumes).</summary>
public interface IPreBindPlugin : IPlugin
{
    Task<Status?> PreBindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct);
}

/// <summary>Binds the pod to the node (DefaultBinder: pods/binding).</summary>
public interface IBindPlugin : IPlugin
{
    Task<Status?> BindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct);
}

/// <summary>The cluster changes that can make a pod this plugin rejected schedulable (upstream's EventsToRegister).</summary>
public interface IEnqueueExtensions : IPlugin
{
    IReadOnlyList<ClusterEvent> EventsToRegister { get; }
}

/// <summary>What a scheduling queue reacts to.</summary>
public enum EventResource { Node, AssignedPod, UnscheduledPod, PersistentVolume, PersistentVolumeClaim, StorageClass, Namespace, WildCard }

[Flags]
public enum ActionType { Add = 1, Update = 2, Delete = 4, All = Add | Update | Delete }

/// <summary>A kind of cluster change, e.g. Node/Add or AssignedPod/Delete.</summary>
public readonly record struct ClusterEvent(EventResource Resource, ActionType Action)
{
    public static readonly ClusterEvent NodeAdd = new(EventResource.Node, ActionType.Add);
    public static readonly ClusterEvent NodeUpdate = new(EventResource.Node, ActionType.Update);
    public static readonly ClusterEvent AssignedPodAdd = new(EventResource.AssignedPod, ActionType.Add);
    public static readonly ClusterEvent AssignedPodUpdate = new(EventResource.AssignedPod, ActionType.Update);
    public static readonly ClusterEvent AssignedPodDelete = new(EventResource.AssignedPod, ActionType.Delete);
    public static readonly ClusterEvent UnschedulableTimeout = new(EventResource.WildCard, ActionType.All);

    /// <summary>Whether a plugin registered for this event wants to hear about <paramref name="incoming"/>.</summary>
    public bool Matches(ClusterEvent incoming) =>
        Resource == EventResource.WildCard || incoming.Resource == EventResource.WildCard ||
        (Resource == incoming.Resource && (Action & incoming.Action) != 0);

    public override string ToString() => $"{Resource}/{Action}";
}

/// <summary>
/// What plugins may read besides the snapshot: other API objects from the scheduler's informers
/// (namespaces, claims, volumes, storage classes, budgets) and the pods nominated to nodes. The
/// informer-backed implementation is as fresh as its caches; fakes serve tests.
/// </summary>
public interface IClusterLister
{
    IReadOnlyDictionary<string, string>? NamespaceLabels(string ns);
    PersistentVolumeClaim? GetClaim(string ns, string name);
    PersistentVolume? GetVolume(string name);
    IReadOnlyList<PersistentVolume> ListVolumes();
    Skiff.Api.Models.Storage.V1.StorageClass? GetStorageClass(string name);
    IReadOnlyList<Skiff.Api.Models.Policy.V1.PodDisruptionBudget> ListDisruptionBudgets(string ns);
}

/// <summary>The scoring constants shared by plugins.</summary>
public static class Scoring
{
    public const long MaxNodeScore = 100;

    /// <summary>Upstream's DefaultNormalizeScore: scale so the highest score is 100 (reversed: lowest is 100).</summary>
    public static void DefaultNormalize(Span<long> scores, bool reverse)
    {
        long max = 0;
        foreach (var s in scores) max = Math.Max(max, s);
        if (max == 0)
        {
            if (reverse) scores.Fill(MaxNodeScore);
            return;
        }
        for (var i = 0; i < scores.Length; i++)
        {
            var s = MaxNodeScore * scores[i] / max;
            scores[i] = reverse ? MaxNodeScore - s : s;
        }
    }
}
