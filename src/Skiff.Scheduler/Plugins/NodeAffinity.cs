using Skiff.Api.Models.Core.V1;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>
/// Filter: the node must match the pod's nodeSelector and one of its required node affinity terms.
/// Score: the sum of the weights of the preferred terms the node matches (normalized).
/// </summary>
public sealed class NodeAffinity : IFilterPlugin, IScorePlugin, IEnqueueExtensions
{
    public const string Reason = "node(s) didn't match Pod's node affinity/selector";

    public string Name => "NodeAffinity";
    public IReadOnlyList<ClusterEvent> EventsToRegister { get; } = [ClusterEvent.NodeAdd, ClusterEvent.NodeUpdate];

    public Status? Filter(CycleState state, PodInfo pod, NodeInfo node) =>
        Matches(pod.Pod.Spec, node) ? null : Status.Unresolvable(Reason);

    /// <summary>Whether the node satisfies nodeSelector and required node affinity (also used by PodTopologySpread).</summary>
    public static bool Matches(PodSpec? spec, NodeInfo node)
    {
        if (spec?.NodeSelector is { Count: > 0 } selector)
            foreach (var (k, v) in selector)
                if (!node.Labels.TryGetValue(k, out var actual) || actual != v) return false;
        var terms = spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        if (terms is null) return true;
        foreach (var term in terms)
            if (TermMatches(term, node)) return true;
        return false;
    }

    /// <summary>An empty term matches no node; expressions and fields are ANDed.</summary>
    public static bool TermMatches(NodeSelectorTerm term, NodeInfo node)
    {
        var exprs = term.MatchExpressions;
        var fields = term.MatchFields;
        if ((exprs is null || exprs.Count == 0) && (fields is null || fields.Count == 0)) return false;
        foreach (var r in exprs ?? [])
            if (!RequirementMatches(r, node.Labels.TryGetValue(r.Key ?? "", out var v) ? v : null)) return false;
        foreach (var r in fields ?? [])
            if (r.Key != "metadata.name" || !RequirementMatches(r, node.Name)) return false;
        return true;
    }

    private static bool RequirementMatches(NodeSelectorRequirement r, string? value)
    {
        var values = r.Values ?? [];
        return r.Operator switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => value is not null && long.TryParse(value, out var a) && values.Count == 1 && long.TryParse(values[0], out var b) && a > b,
            "Lt" => value is not null && long.TryParse(value, out var c) && values.Count == 1 && long.TryParse(values[0], out var d) && c < d,
            _ => false,
        };
    }

    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        long total = 0;
        foreach (var p in pod.Pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
            if (p.Weight is > 0 && p.Preference is { } term && TermMatches(term, node)) total += p.Weight.Value;
        return total;
    }

    public void NormalizeScores(CycleState state, PodInfo pod, Span<long> scores) => Scoring.DefaultNormalize(scores, reverse: false);
}
