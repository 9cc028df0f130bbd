using Skiff.Api.Models.Core.V1;
using Skiff.Api.Taints;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>
/// topologySpreadConstraints: DoNotSchedule constraints are a filter (placing the pod must not make the
/// skew between its domain and the least-populated domain exceed maxSkew), ScheduleAnyway constraints
/// a score (fewer matching pods in the node's domains is better). Domains are counted over the nodes
/// that pass the pod's node affinity (nodeAffinityPolicy Honor) and carry every constraint's key.
/// System default constraints are not applied.
/// </summary>
public sealed class PodTopologySpread : IPreFilterPlugin, IPreFilterExtensions, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string ReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
    public const string ReasonNodeLabelNotMatch = "node(s) didn't match pod topology spread constraints (missing required label)";
    private const string FilterKey = "PreFilterPodTopologySpread";
    private const string ScoreKey = "PreScorePodTopologySpread";

    public string Name => "PodTopologySpread";
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } =
        [ClusterEvent.AssignedPodAdd, ClusterEvent.AssignedPodUpdate, ClusterEvent.AssignedPodDelete, ClusterEvent.NodeAdd, ClusterEvent.NodeUpdate];

    internal sealed record Constraint(string TopologyKey, int MaxSkew, int MinDomains, LabelMatcher Selector, bool HonorAffinity, bool HonorTaints);

    private sealed class FilterState : ICloneableState
    {
        public required List<Constraint> Constraints;
        /// <summary>Per constraint: domain value → matching pods.</summary>
        public required List<Dictionary<string, int>> Counts;
        public required long[] Min;
        public object Clone() => new FilterState { Constraints = Constraints, Counts = [.. Counts.Select(c => new Dictionary<string, int>(c))], Min = (long[])Min.Clone() };

        public void RecomputeMin(int i)
        {
            var c = Counts[i];
            Min[i] = c.Count < Constraints[i].MinDomains || c.Count == 0 ? 0 : c.Values.Min();
        }
    }

    internal static List<Constraint> Constraints(PodInfo pod, string when)
    {
        var list = new List<Constraint>();
        foreach (var c in pod.Pod.Spec?.TopologySpreadConstraints ?? [])
        {
            if (c.WhenUnsatisfiable != when || string.IsNullOrEmpty(c.TopologyKey)) continue;
            Dictionary<string, string>? extra = null;
            foreach (var k in c.MatchLabelKeys ?? [])
                if (pod.Labels.TryGetValue(k, out var v)) (extra ??= [])[k] = v;
            list.Add(new Constraint(c.TopologyKey, Math.Max(1, c.MaxSkew ?? 1), Math.Max(1, c.MinDomains ?? 1),
                LabelMatcher.From(c.LabelSelector, extra), c.NodeAffinityPolicy != "Ignore", c.NodeTaintsPolicy == "Honor"));
        }
        return list;
    }

    private static bool NodeCounts(PodInfo pod, NodeInfo node, List<Constraint> constraints)
    {
        foreach (var c in constraints) if (!node.Labels.ContainsKey(c.TopologyKey)) return false;
        var c0 = constraints[0];
        if (c0.HonorAffinity && !NodeAffinity.Matches(pod.Pod.Spec, node)) return false;
        if (c0.HonorTaints && Tolerations.FirstUntolerated(node.Taints, pod.Pod.Spec?.Tolerations) is not null) return false;
        return true;
    }

    private static int CountMatching(PodInfo pod, NodeInfo node, Constraint c)
    {
        var n = 0;
        foreach (var p in node.Pods)
            if (p.Namespace == pod.Namespace && !p.IsTerminating && c.Selector.Matches(p.Labels)) n++;
        return n;
    }

    public Status? PreFilter(CycleState state, PodInfo pod, Snapshot snapshot)
    {
        var constraints = Constraints(pod, "DoNotSchedule");
        if (constraints.Count == 0) return Status.SkipStatus;
        var counts = constraints.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToList();
        foreach (var node in snapshot.Nodes)
        {
            if (!NodeCounts(pod, node, constraints)) continue;
            for (var i = 0; i < constraints.Count; i++)
            {
                var value = node.Labels[constraints[i].TopologyKey];
                counts[i][value] = counts[i].GetValueOrDefault(value) + CountMatching(pod, node, constraints[i]);
            }
        }
        var s = new FilterState { Constraints = constraints, Counts = counts, Min = new long[constraints.Count] };
        for (var i = 0; i < constraints.Count; i++) s.RecomputeMin(i);
        state.Write(FilterKey, s);
        return null;
    }

    public void AddPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) => Update(state, podToSchedule, podToAdd, node, +1);
    public void RemovePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node) => Update(state, podToSchedule, podToRemove, node, -1);

    private static void Update(CycleState state, PodInfo pod, PodInfo other, NodeInfo node, int delta)
    {
        if (state.Read<FilterState>(FilterKey) is not { } s || other.Namespace != pod.Namespace) return;
        if (!NodeCounts(pod, node, s.Constraints)) return;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            if (!s.Constraints[i].Selector.Matches(other.Labels)) continue;
            var value = node.Labels[s.Constraints[i].TopologyKey];
            s.Counts[i][value] = Math.Max(0, s.Counts[i].GetValueOrDefault(value) + delta);
            s.RecomputeMin(i);
        }
    }

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<FilterState>(FilterKey) is not { } s) return null;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            var c = s.Constraints[i];
            if (!node.Labels.TryGetValue(c.TopologyKey, out var value)) return Status.Unresolvable(ReasonNodeLabelNotMatch);
            var self = c.Selector.Matches(pod.Labels) ? 1 : 0;
            var skew = s.Counts[i].GetValueOrDefault(value) + self - s.Min[i];
            if (skew > c.MaxSkew) return Status.Unschedulable(ReasonConstraintsNotMatch);
        }
        return null;
    }

    private sealed class ScoreState
    {
        public required List<Constraint> Constraints;
        public required List<Dictionary<string, int>> Counts;
        public required double[] Weights;
    }

    public Status? PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, Snapshot snapshot)
    {
        var constraints = Constraints(pod, "ScheduleAnyway");
        if (constraints.Count == 0) return Status.SkipStatus;
        var counts = constraints.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToList();
        var domains = constraints.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToList();
        foreach (var node in nodes)
            for (var i = 0; i < constraints.Count; i++)
                if (node.Labels.TryGetValue(constraints[i].TopologyKey, out var v)) domains[i].Add(v);
        foreach (var node in snapshot.Nodes)
        {
            if (!NodeCounts(pod, node, constraints)) continue;
            for (var i = 0; i < constraints.Count; i++)
            {
                var value = node.Labels[constraints[i].TopologyKey];
                if (!domains[i].Contains(value)) continue;
                counts[i][value] = counts[i].GetValueOrDefault(value) + CountMatching(pod, node, constraints[i]);
            }
        }
        // More domains make a constraint count for more, as upstream's log weighting.
        var weights = domains.Select(d => Math.Log(d.Count + 2)).ToArray();
        state.Write(ScoreKey, new ScoreState { Constraints = constraints, Counts = counts, Weights = weights });
        return null;
    }

    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<ScoreState>(ScoreKey) is not { } s) return 0;
        double score = 0;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            if (!node.Labels.TryGetValue(s.Constraints[i].TopologyKey, out var v)) return -1; // missing label: worst
            score += s.Counts[i].GetValueOrDefault(v) * s.Weights[i] + (s.Constraints[i].MaxSkew - 1);
        }
        return (long)Math.Round(score);
    }

    public void NormalizeScores(CycleState state, PodInfo pod, Span<long> scores)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (var x in scores) { if (x < 0) continue; min = Math.Min(min, x); max = Math.Max(max, x); }
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] < 0) { scores[i] = 0; continue; }
            scores[i] = max == 0 ? Scoring.MaxNodeScore : Scoring.MaxNodeScore * (max + min - scores[i]) / max;
        }
    }
}
