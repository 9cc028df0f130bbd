using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Preemption;

/// <summary>
/// The PodDisruptionBudgets that protect would-be victims: a pod whose budget allows no more
/// disruptions (status.disruptionsAllowed, counting down as victims are taken) is a violating victim.
/// One instance per preemption attempt; not thread-safe.
/// </summary>
internal sealed class DisruptionBudgets(IClusterLister lister)
{
    private readonly Dictionary<string, List<(LabelMatcher Selector, string Name, HashSet<string> Disrupted)>> _byNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _allowed = new(StringComparer.Ordinal);

    /// <summary>Splits <paramref name="pods"/> (order kept) into those whose eviction would violate a budget and the rest.</summary>
    public (List<PodInfo> Violating, List<PodInfo> Free) Split(List<PodInfo> pods)
    {
        var violating = new List<PodInfo>();
        var free = new List<PodInfo>();
        var allowed = new Dictionary<string, int>(_allowed);
        foreach (var p in pods)
        {
            var violates = false;
            foreach (var (selector, name, disrupted) in For(p.Namespace))
            {
                if (selector.IsEverything || !selector.Matches(p.Labels) || disrupted.Contains(p.Name)) continue;
                var key = p.Namespace + "/" + name;
                // For() may have just read this namespace's budgets, after the copy above was taken.
                var left = (allowed.TryGetValue(key, out var current) ? current : _allowed[key]) - 1;
                allowed[key] = left;
                if (left < 0) violates = true;
            }
            (violates ? violating : free).Add(p);
        }
        return (violating, free);
    }

    private List<(LabelMatcher, string, HashSet<string>)> For(string ns)
    {
        if (_byNamespace.TryGetValue(ns, out var list)) return list;
        list = [];
        foreach (var pdb in lister.ListDisruptionBudgets(ns))
        {
            var name = pdb.Metadata?.Name ?? "";
            list.Add((LabelMatcher.From(pdb.Spec?.Selector), name, new HashSet<string>(pdb.Status?.DisruptedPods?.Keys ?? Enumerable.Empty<string>(), StringComparer.Ordinal)));
            _allowed[ns + "/" + name] = pdb.Status?.DisruptionsAllowed ?? 0;
        }
        _byNamespace[ns] = list;
        return list;
    }
}
