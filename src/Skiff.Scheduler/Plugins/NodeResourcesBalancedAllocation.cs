using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>
/// Prefers nodes whose cpu and memory would be used in equal shares with the pod on them:
/// score = (1 − standard deviation of the requested fractions) × 100.
/// </summary>
public sealed class NodeResourcesBalancedAllocation(IReadOnlyList<ResourceWeight>? resources = null) : IScorePlugin, IPreScorePlugin
{
    private readonly IReadOnlyList<ResourceWeight> _resources = resources ?? NodeResourcesFit.DefaultResources;

    public string Name => "NodeResourcesBalancedAllocation";

    public Status? PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, Snapshot snapshot) =>
        // A pod that requests nothing cannot unbalance a node.
        pod.Requests.IsZero ? Status.SkipStatus : null;

    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        Span<double> fractions = stackalloc double[_resources.Count];
        var n = 0;
        foreach (var (name, _) in _resources)
        {
            var allocatable = node.Allocatable.Get(name);
            if (allocatable == 0) continue;
            var requested = node.Requested.Get(name) + pod.Requests.Get(name);
            fractions[n++] = Math.Min(1.0, (double)requested / allocatable);
        }
        if (n == 0) return 0;
        double std;
        if (n == 2) std = Math.Abs(fractions[0] - fractions[1]) / 2;
        else
        {
            double mean = 0;
            for (var i = 0; i < n; i++) mean += fractions[i];
            mean /= n;
            double sum = 0;
            for (var i = 0; i < n; i++) sum += (fractions[i] - mean) * (fractions[i] - mean);
            std = Math.Sqrt(sum / n);
        }
        return (long)((1 - std) * Scoring.MaxNodeScore);
    }
}
