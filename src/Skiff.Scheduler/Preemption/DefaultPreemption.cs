using Skiff.Api.Models.Core.V1;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Profiles;

namespace Skiff.Scheduler.Preemption;

/// <summary>
/// Upstream's DefaultPreemption PostFilter: when a pod fits nowhere, find nodes where removing
/// lower-priority pods would let it fit, keep as many of those pods as still allows it (reprieving
/// pods protected by a PodDisruptionBudget first), pick the node whose victims matter least, then
/// delete the victims gracefully (after marking them DisruptionTarget), clear lower-priority nominations
/// on that node, and nominate the node for the pod (status.nominatedNodeName). The pod itself is
/// scheduled by a later cycle once the victims are gone.
/// </summary>
public sealed class DefaultPreemption(PluginHandle handle, string schedulerName) : IPostFilterPlugin
{
    public const string ReasonNotHelpful = "Preemption is not helpful for scheduling";
    public const string ReasonNoVictims = "No preemption victims found for incoming pod";
    private const int MinCandidateNodesPercentage = 10;
    private const int MinCandidateNodesAbsolute = 100;

    public string Name => "DefaultPreemption";

    /// <summary>The profile this plugin belongs to (set once after the profile is built; its filters judge the what-ifs).</summary>
    public SchedulingFramework? Framework { get; set; }

    public async Task<PostFilterResult> PostFilterAsync(CycleState state, PodInfo pod, Snapshot snapshot,
        IReadOnlyDictionary<string, Status> nodeStatuses, CancellationToken ct)
    {
        if (pod.Pod.Spec?.PreemptionPolicy == "Never")
            return new(null, Status.Unschedulable("preemption: not eligible due to preemptionPolicy=Never."));
        if (pod.Pod.Status?.NominatedNodeName is { Length: > 0 } nominated && snapshot.Get(nominated) is { } nominatedNode
            && nominatedNode.Pods.Any(p => p.IsTerminating && p.Priority < pod.Priority))
            return new(null, Status.Unschedulable("preemption: not eligible due to a terminating pod on the nominated node."));

        var (candidates, statuses) = FindCandidates(state, pod, snapshot, nodeStatuses);
        if (candidates.Count == 0)
        {
            var fit = new FitError(snapshot.Nodes.Count, statuses);
            return new(null, Status.Unschedulable("preemption: " + fit.Message));
        }
        var best = PickOneNode(candidates);
        await PrepareAsync(pod, best, ct).ConfigureAwait(false);
        return new(best.NodeName, null);
    }

    /// <summary>A node where the pod fits once <see cref="Victims"/> are gone.</summary>
    public sealed record Candidate(string NodeName, IReadOnlyList<PodInfo> Victims, int NumPdbViolations);

    internal (List<Candidate> Candidates, Dictionary<string, Status> Statuses) FindCandidates(CycleState state, PodInfo pod, Snapshot snapshot,
        IReadOnlyDictionary<string, Status> nodeStatuses)
    {
        var fw = Framework ?? throw new InvalidOperationException("DefaultPreemption has no framework");
        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        var potential = new List<NodeInfo>();
        foreach (var node in snapshot.Nodes)
        {
            if (nodeStatuses.TryGetValue(node.Name, out var s) && s.Code == StatusCode.UnschedulableAndUnresolvable)
                statuses[node.Name] = Status.Unresolvable(ReasonNotHelpful);
            else potential.Add(node);
        }
        var candidates = new List<Candidate>();
        if (potential.Count == 0) return (candidates, statuses);

        var budgets = new DisruptionBudgets(handle.Lister);
        var want = Math.Max(MinCandidateNodesAbsolute, potential.Count * MinCandidateNodesPercentage / 100);
        var offset = Random.Shared.Next(potential.Count);
        for (var i = 0; i < potential.Count && candidates.Count < want; i++)
        {
            var node = potential[(offset + i) % potential.Count];
            var (victims, violations, status) = SelectVictimsOnNode(fw, state.Clone(), pod, node.Clone(), budgets);
            if (status is null) candidates.Add(new Candidate(node.Name, victims!, violations));
            else statuses[node.Name] = status;
        }
        return (candidates, statuses);
    }

    /// <summary>
    /// The fewest lower-priority pods to remove from <paramref name="node"/> (a clone; it is changed) so that
    /// <paramref name="pod"/> fits, and how many of them a disruption budget protects; or why none works.
    /// </summary>
    internal (List<PodInfo>? Victims, int Violations, Status? Status) SelectVictimsOnNode(SchedulingFramework fw, CycleState state,
        PodInfo pod, NodeInfo node, DisruptionBudgets budgets)
    {
        var lower = node.Pods.Where(p => p.Priority < pod.Priority).ToList();
        if (lower.Count == 0) return (null, 0, Status.Unresolvable(ReasonNoVictims));
        foreach (var p in lower)
        {
            node.RemovePod(p.Uid);
            foreach (var ext in fw.PreFilterExtensions) ext.RemovePod(state, pod, p, node);
        }
        if (fw.RunFilterWithNominatedPods(state, pod, node, handle.Nominator) is { } failed) return (null, 0, failed);

        // Most important first: they are the ones we try hardest to keep.
        lower.Sort(MoreImportantFirst);
        var (violating, free) = budgets.Split(lower);
        var victims = new List<PodInfo>();
        var violations = 0;
        bool Reprieve(PodInfo p)
        {
            node.AddPod(p);
            foreach (var ext in fw.PreFilterExtensions) ext.AddPod(state, pod, p, node);
            if (fw.RunFilterWithNominatedPods(state, pod, node, handle.Nominator) is null) return true;
            node.RemovePod(p.Uid);
            foreach (var ext in fw.PreFilterExtensions) ext.RemovePod(state, pod, p, node);
            victims.Add(p);
            return false;
        }
        foreach (var p in violating) if (!Reprieve(p)) violations++;
        foreach (var p in free) Reprieve(p);
        if (victims.Count == 0) return (null, 0, Status.Unresolvable(ReasonNoVictims));
        return (victims, violations, null);
    }

    /// <summary>Higher priority first, then the pod that has run longer.</summary>
    internal static int MoreImportantFirst(PodInfo a, PodInfo b)
    {
        var c = b.Priority.CompareTo(a.Priority);
        return c != 0 ? c : a.StartTime.CompareTo(b.StartTime);
    }

    /// <summary>
    /// Upstream's pickOneNodeForPreemption: fewest budget violations, then the lowest highest-victim priority,
    /// the lowest sum of victim priorities, the fewest victims, the latest start among the most important victims.
    /// </summary>
    public static Candidate PickOneNode(IReadOnlyList<Candidate> candidates)
    {
        IEnumerable<Candidate> best = candidates;
        best = MinBy(best, c => c.NumPdbViolations);
        best = MinBy(best, c => c.Victims.Max(v => (long)v.Priority));
        best = MinBy(best, c => c.Victims.Sum(v => (long)v.Priority + int.MaxValue + 1L));
        best = MinBy(best, c => c.Victims.Count);
        best = MinBy(best, c =>
        {
            var top = c.Victims.Max(v => v.Priority);
            return -c.Victims.Where(v => v.Priority == top).Min(v => v.StartTime).UtcTicks;
        });
        return best.First();
    }

    private static List<Candidate> MinBy(IEnumerable<Candidate> items, Func<Candidate, long> key)
    {
        var list = items.ToList();
        var min = list.Min(key);
        return list.Where(c => key(c) == min).ToList();
    }

    private async Task PrepareAsync(PodInfo pod, Candidate best, CancellationToken ct)
    {
        var disruption = new PodCondition
        {
            Type = "DisruptionTarget",
            Status = "True",
            Reason = "PreemptionByScheduler",
            Message = $"{schedulerName}: preempting to accommodate a higher priority pod",
            LastTransitionTime = DateTimeOffset.UtcNow,
        };
        await Parallel.ForEachAsync(best.Victims, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (victim, c) =>
        {
            try { await handle.Api.UpdatePodStatusAsync(victim, disruption, null, c).ConfigureAwait(false); }
            catch (Exception e) when (e is Client.Rest.ApiException or HttpRequestException) { }
            try
            {
                await handle.Api.DeletePodAsync(victim, c).ConfigureAwait(false);
                handle.Events.Record(victim, "Normal", "Preempted", $"Preempted by pod {pod.Uid} on node {best.NodeName}");
            }
            catch (Client.Rest.ApiException e) when (e.IsNotFound) { }
        }).ConfigureAwait(false);

        // Pods of lower priority nominated to this node lose the nomination: the room is this pod's now.
        foreach (var other in handle.Nominator.NominatedPodsForNode(best.NodeName))
        {
            if (other.Priority >= pod.Priority || other.Uid == pod.Uid) continue;
            try { await handle.Api.UpdatePodStatusAsync(other, null, "", ct).ConfigureAwait(false); }
            catch (Exception e) when (e is Client.Rest.ApiException or HttpRequestException) { }
        }
    }
}
