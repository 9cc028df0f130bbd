using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>
/// Required pod affinity and anti-affinity (Filter), in both directions: the incoming pod's terms against
/// the pods in each topology domain, and existing pods' anti-affinity terms against the incoming pod.
/// Preferred terms (and existing pods' terms) add or subtract their weights per domain (Score).
/// </summary>
public sealed class InterPodAffinity(IClusterLister lister, int hardPodAffinityWeight = 1)
    : IPreFilterPlugin, IPreFilterExtensions, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string ReasonExistingAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const string ReasonAntiAffinity = "node(s) didn't match pod anti-affinity rules";
    public const string ReasonAffinity = "node(s) didn't match pod affinity rules";
    private const string FilterKey = "PreFilterInterPodAffinity";
    private const string ScoreKey = "PreScoreInterPodAffinity";

    public string Name => "InterPodAffinity";
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } =
        [ClusterEvent.AssignedPodAdd, ClusterEvent.AssignedPodUpdate, ClusterEvent.AssignedPodDelete, ClusterEvent.NodeAdd, ClusterEvent.NodeUpdate];

    private sealed class FilterState : ICloneableState
    {
        public Dictionary<(string, string), int> ExistingAnti = new();
        public Dictionary<(string, string), int> Affinity = new();
        public Dictionary<(string, string), int> Anti = new();
        public object Clone() => new FilterState { ExistingAnti = new(ExistingAnti), Affinity = new(Affinity), Anti = new(Anti) };
    }

    private IReadOnlyDictionary<string, string>? Ns(string ns) => lister.NamespaceLabels(ns);

    public Status? PreFilter(CycleState state, PodInfo pod, Snapshot snapshot)
    {
        var s = new FilterState();
        foreach (var node in snapshot.NodesWithRequiredAntiAffinityPods)
            foreach (var existing in node.PodsWithRequiredAntiAffinity)
                CountExistingAnti(s, pod, existing, node, +1);
        if (pod.RequiredAffinityTerms.Count > 0 || pod.RequiredAntiAffinityTerms.Count > 0)
            foreach (var node in snapshot.Nodes)
                foreach (var existing in node.Pods)
                    CountIncoming(s, pod, existing, node, +1);
        if (s.ExistingAnti.Count == 0 && pod.RequiredAffinityTerms.Count == 0 && pod.RequiredAntiAffinityTerms.Count == 0)
            return Status.SkipStatus;
        state.Write(FilterKey, s);
        return null;
    }

    private void CountExistingAnti(FilterState s, PodInfo incoming, PodInfo existing, NodeInfo node, int delta)
    {
        foreach (var term in existing.RequiredAntiAffinityTerms)
            if (node.Labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(incoming, Ns))
                Add(s.ExistingAnti, (term.TopologyKey, value), delta);
    }

    private void CountIncoming(FilterState s, PodInfo incoming, PodInfo existing, NodeInfo node, int delta)
    {
        if (incoming.RequiredAffinityTerms.Count > 0 && incoming.RequiredAffinityTerms.All(t => t.Matches(existing, Ns)))
            foreach (var term in incoming.RequiredAffinityTerms)
                if (node.Labels.TryGetValue(term.TopologyKey, out var value)) Add(s.Affinity, (term.TopologyKey, value), delta);
        foreach (var term in incoming.RequiredAntiAffinityTerms)
            if (node.Labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(existing, Ns))
                Add(s.Anti, (term.TopologyKey, value), delta);
    }

    private static void Add(Dictionary<(string, string), int> counts, (string, string) key, int delta)
    {
        var n = counts.GetValueOrDefault(key) + delta;
        if (n <= 0) counts.Remove(key); else counts[key] = n;
    }

    public void AddPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) => Update(state, podToSchedule, podToAdd, node, +1);
    public void RemovePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node) => Update(state, podToSchedule, podToRemove, node, -1);

    private void Update(CycleState state, PodInfo incoming, PodInfo other, NodeInfo node, int delta)
    {
        if (state.Read<FilterState>(FilterKey) is not { } s) return;
        CountExistingAnti(s, incoming, other, node, delta);
        CountIncoming(s, incoming, other, node, delta);
    }

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<FilterState>(FilterKey) is not { } s) return null;
        foreach (var (key, value) in node.Labels)
            if (s.ExistingAnti.ContainsKey((key, value))) return Status.Unschedulable(ReasonExistingAntiAffinity);
        foreach (var term in pod.RequiredAntiAffinityTerms)
            if (node.Labels.TryGetValue(term.TopologyKey, out var value) && s.Anti.ContainsKey((term.TopologyKey, value)))
                return Status.Unschedulable(ReasonAntiAffinity);
        if (pod.RequiredAffinityTerms.Count > 0)
        {
            var all = true;
            foreach (var term in pod.RequiredAffinityTerms)
                if (!node.Labels.TryGetValue(term.TopologyKey, out var value) || !s.Affinity.ContainsKey((term.TopologyKey, value))) { all = false; break; }
            if (!all)
            {
                // The first pod of a group that selects itself may go anywhere its topology keys exist.
                var firstOfGroup = s.Affinity.Count == 0 && pod.RequiredAffinityTerms.All(t => t.Matches(pod, Ns))
                    && pod.RequiredAffinityTerms.All(t => node.Labels.ContainsKey(t.TopologyKey));
                if (!firstOfGroup) return Status.Unresolvable(ReasonAffinity);
            }
        }
        return null;
    }

    private sealed class ScoreState
    {
        public readonly Dictionary<string, Dictionary<string, long>> ByKey = new(StringComparer.Ordinal);
    }

    public Status? PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, Snapshot snapshot)
    {
        var incomingHasPreferred = pod.PreferredAffinityTerms.Count + pod.PreferredAntiAffinityTerms.Count > 0;
        if (!incomingHasPreferred && snapshot.NodesWithAffinityPods.Count == 0) return Status.SkipStatus;
        var s = new ScoreState();
        foreach (var node in incomingHasPreferred ? snapshot.Nodes : snapshot.NodesWithAffinityPods)
            foreach (var existing in incomingHasPreferred ? node.Pods : node.PodsWithAffinity)
                ScoreExisting(s, pod, existing, node);
        if (s.ByKey.Count == 0) return Status.SkipStatus;
        state.Write(ScoreKey, s);
        return null;
    }

    private void ScoreExisting(ScoreState s, PodInfo incoming, PodInfo existing, NodeInfo node)
    {
        foreach (var t in incoming.PreferredAffinityTerms) if (t.Matches(existing, Ns)) Bump(s, node, t.TopologyKey, t.Weight);
        foreach (var t in incoming.PreferredAntiAffinityTerms) if (t.Matches(existing, Ns)) Bump(s, node, t.TopologyKey, -t.Weight);
        if (hardPodAffinityWeight > 0)
            foreach (var t in existing.RequiredAffinityTerms) if (t.Matches(incoming, Ns)) Bump(s, node, t.TopologyKey, hardPodAffinityWeight);
        foreach (var t in existing.PreferredAffinityTerms) if (t.Matches(incoming, Ns)) Bump(s, node, t.TopologyKey, t.Weight);
        foreach (var t in existing.PreferredAntiAffinityTerms) if (t.Matches(incoming, Ns)) Bump(s, node, t.TopologyKey, -t.Weight);
    }

    private static void Bump(ScoreState s, NodeInfo node, string key, long weight)
    {
        if (weight == 0 || !node.Labels.TryGetValue(key, out var value)) return;
        if (!s.ByKey.TryGetValue(key, out var values)) s.ByKey[key] = values = new(StringComparer.Ordinal);
        values[value] = values.GetValueOrDefault(value) + weight;
    }

    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<ScoreState>(ScoreKey) is not { } s) return 0;
        long total = 0;
        foreach (var (key, values) in s.ByKey)
            if (node.Labels.TryGetValue(key, out var v) && values.TryGetValue(v, out var score)) total += score;
        return total;
    }

    public void NormalizeScores(CycleState state, PodInfo pod, Span<long> scores)
    {
        if (scores.Length == 0) return;
        long min = long.MaxValue, max = long.MinValue;
        foreach (var x in scores) { min = Math.Min(min, x); max = Math.Max(max, x); }
        var diff = max - min;
        for (var i = 0; i < scores.Length; i++) scores[i] = diff > 0 ? Scoring.MaxNodeScore * (scores[i] - min) / diff : 0;
    }
}
