namespace Skiff.Scheduler.Framework;

/// <summary>The pods nominated to nodes by preemption, which filtering must keep room for.</summary>
public interface IPodNominator
{
    IReadOnlyList<PodInfo> NominatedPodsForNode(string nodeName);
}

/// <summary>A score plugin with its weight in the profile.</summary>
public sealed record WeightedScorePlugin(IScorePlugin Plugin, int Weight);

/// <summary>
/// One profile's plugins in order per extension point, and the rules for running them (upstream's
/// frameworkImpl): PreFilter may skip a plugin's Filter; Filter stops at the first rejection; scores
/// are normalized per plugin, then weighted and summed. Immutable after construction; every method is
/// safe to call concurrently for different nodes within a cycle.
/// </summary>
public sealed class SchedulingFramework
{
    public SchedulingFramework(string schedulerName, IEnumerable<IPlugin> plugins, IReadOnlyDictionary<string, int>? scoreWeights = null)
    {
        SchedulerName = schedulerName;
        var list = plugins.ToList();
        Plugins = list;
        PreFilter = [.. list.OfType<IPreFilterPlugin>()];
        PreFilterExtensions = [.. list.OfType<IPreFilterExtensions>()];
        Filter = [.. list.OfType<IFilterPlugin>()];
        PostFilter = [.. list.OfType<IPostFilterPlugin>()];
        PreScore = [.. list.OfType<IPreScorePlugin>()];
        Score = [.. list.OfType<IScorePlugin>().Select(p => new WeightedScorePlugin(p, scoreWeights?.GetValueOrDefault(p.Name, 1) ?? 1))];
        Reserve = [.. list.OfType<IReservePlugin>()];
        PreBind = [.. list.OfType<IPreBindPlugin>()];
        Bind = [.. list.OfType<IBindPlugin>()];
        EnqueueExtensions = list.OfType<IEnqueueExtensions>().ToDictionary(p => p.Name, p => p.EventsToRegister, StringComparer.Ordinal);
    }

    public string SchedulerName { get; }
    public IReadOnlyList<IPlugin> Plugins { get; }
    public IReadOnlyList<IPreFilterPlugin> PreFilter { get; }
    public IReadOnlyList<IPreFilterExtensions> PreFilterExtensions { get; }
    public IReadOnlyList<IFilterPlugin> Filter { get; }
    public IReadOnlyList<IPostFilterPlugin> PostFilter { get; }
    public IReadOnlyList<IPreScorePlugin> PreScore { get; }
    public IReadOnlyList<WeightedScorePlugin> Score { get; }
    public IReadOnlyList<IReservePlugin> Reserve { get; }
    public IReadOnlyList<IPreBindPlugin> PreBind { get; }
    public IReadOnlyList<IBindPlugin> Bind { get; }
    /// <summary>Plugin name → the cluster events that may make a pod it rejected schedulable.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ClusterEvent>> EnqueueExtensions { get; }

    public Status? RunPreFilter(CycleState state, PodInfo pod, Snapshot snapshot)
    {
        foreach (var p in PreFilter)
        {
            var s = p.PreFilter(state, pod, snapshot);
            if (s is null) continue;
            if (s.Code == StatusCode.Skip) { state.SkipFilterPlugins.Add(p.Name); state.ActiveFilters = null; continue; }
            return s.WithPlugin(p.Name);
        }
        return null;
    }

    public Status? RunFilter(CycleState state, PodInfo pod, NodeInfo node)
    {
        // The plugins PreFilter did not skip, worked out once per cycle rather than once per node.
        var active = state.ActiveFilters as IFilterPlugin[];
        if (active is null)
        {
            active = state.SkipFilterPlugins.Count == 0 ? [.. Filter] : [.. Filter.Where(f => !state.SkipFilterPlugins.Contains(f.Name))];
            state.ActiveFilters = active;
        }
        foreach (var f in active)
        {
            var s = f.Filter(state, pod, node);
            if (s is not null && s.Code != StatusCode.Success) return s.WithPlugin(f.Name);
        }
        return null;
    }

    /// <summary>
    /// Filters with the pods nominated to the node (of at least the pod's priority) counted as if
    /// placed, then without them, as upstream does: the pod must fit both ways.
    /// </summary>
    public Status? RunFilterWithNominatedPods(CycleState state, PodInfo pod, NodeInfo node, IPodNominator? nominator)
    {
        var nominated = nominator?.NominatedPodsForNode(node.Name);
        if (nominated is null || nominated.Count == 0) return RunFilter(state, pod, node);
        NodeInfo? withNominated = null;
        CycleState? stateWithNominated = null;
        foreach (var n in nominated)
        {
            if (n.Uid == pod.Uid || n.Priority < pod.Priority) continue;
            withNominated ??= node.Clone();
            stateWithNominated ??= state.Clone();
            withNominated.AddPod(n);
            foreach (var ext in PreFilterExtensions) ext.AddPod(stateWithNominated, pod, n, withNominated);
        }
        if (withNominated is not null)
        {
            var s = RunFilter(stateWithNominated!, pod, withNominated);
            if (s is not null) return s;
        }
        return RunFilter(state, pod, node);
    }

    public async Task<PostFilterResult?> RunPostFilterAsync(CycleState state, PodInfo pod, Snapshot snapshot,
        IReadOnlyDictionary<string, Status> statuses, CancellationToken ct)
    {
        PostFilterResult? last = null;
        foreach (var p in PostFilter)
        {
            var r = await p.PostFilterAsync(state, pod, snapshot, statuses, ct).ConfigureAwait(false);
            if (r.NominatedNodeName is not null) return r;
            last = r;
        }
        return last;
    }

    public void RunPreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, Snapshot snapshot)
    {
        foreach (var p in PreScore)
        {
            var s = p.PreScore(state, pod, nodes, snapshot);
            if (s?.Code == StatusCode.Skip) state.SkipScorePlugins.Add(p.Name);
        }
    }

    /// <summary>The weighted total score of each node in <paramref name="nodes"/>, in the same order.</summary>
    public long[] RunScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, int parallelism)
    {
        var totals = new long[nodes.Count];
        var raw = new long[nodes.Count];
        foreach (var (plugin, weight) in Score)
        {
            if (state.SkipScorePlugins.Contains(plugin.Name)) continue;
            if (nodes.Count >= 64 && parallelism > 1)
                Parallel.For(0, nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i => raw[i] = plugin.Score(state, pod, nodes[i]));
            else
                for (var i = 0; i < nodes.Count; i++) raw[i] = plugin.Score(state, pod, nodes[i]);
            plugin.NormalizeScores(state, pod, raw);
            for (var i = 0; i < nodes.Count; i++) totals[i] += raw[i] * weight;
        }
        return totals;
    }

    public Status? RunReserve(CycleState state, PodInfo pod, string nodeName)
    {
        for (var i = 0; i < Reserve.Count; i++)
        {
            var s = Reserve[i].Reserve(state, pod, nodeName);
            if (s is not null)
            {
                for (var j = i; j >= 0; j--) Reserve[j].Unreserve(state, pod, nodeName);
                return s.WithPlugin(Reserve[i].Name);
            }
        }
        return null;
    }

    public void RunUnreserve(CycleState state, PodInfo pod, string nodeName)
    {
        for (var j = Reserve.Count - 1; j >= 0; j--) Reserve[j].Unreserve(state, pod, nodeName);
    }

    public async Task<Status?> RunPreBindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct)
    {
        foreach (var p in PreBind)
        {
            var s = await p.PreBindAsync(state, pod, nodeName, ct).ConfigureAwait(false);
            if (s is not null) return s.WithPlugin(p.Name);
        }
        return null;
    }

    public async Task<Status?> RunBindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct)
    {
        foreach (var p in Bind)
        {
            var s = await p.BindAsync(state, pod, nodeName, ct).ConfigureAwait(false);
            if (s?.Code == StatusCode.Skip) continue;
            return s?.WithPlugin(p.Name);
        }
        return Status.Error("no bind plugin bound the pod");
    }
}
