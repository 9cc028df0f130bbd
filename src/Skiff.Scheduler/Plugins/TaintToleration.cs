using Skiff.Api.Taints;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>
/// Filter: a node's NoSchedule/NoExecute taints must all be tolerated. Score: fewer untolerated
/// PreferNoSchedule taints is better (normalized, reversed).
/// </summary>
public sealed class TaintToleration : IFilterPlugin, IScorePlugin, IEnqueueExtensions
{
    public string Name => "TaintToleration";
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } = [ClusterEvent.NodeAdd, ClusterEvent.NodeUpdate];

    public static string Reason(string key, string? value) => $"node(s) had untolerated taint {{{key}: {value}}}";

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        var taint = Tolerations.FirstUntolerated(node.Taints, pod.Pod.Spec?.Tolerations);
        return taint is null ? null : Status.Unresolvable(Reason(taint.Key ?? "", taint.Value));
    }

    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        var tolerations = pod.Pod.Spec?.Tolerations;
        long count = 0;
        foreach (var taint in node.Taints)
        {
            if (taint.Effect != "PreferNoSchedule") continue;
            var tolerated = false;
            foreach (var t in tolerations ?? [])
                if ((string.IsNullOrEmpty(t.Effect) || t.Effect == "PreferNoSchedule") && Tolerations.Tolerates(t, taint)) { tolerated = true; break; }
            if (!tolerated) count++;
        }
        return count;
    }

    public void NormalizeScores(CycleState state, PodInfo pod, Span<long> scores) => Scoring.DefaultNormalize(scores, reverse: true);
}
