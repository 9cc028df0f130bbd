using M = Skiff.Api.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// A compiled metav1.LabelSelector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist).
/// A null selector matches nothing and an empty one everything, as upstream's LabelSelectorAsSelector.
/// Immutable; thread-safe.
/// </summary>
public sealed class LabelMatcher
{
    private readonly (string Key, string Op, HashSet<string> Values)[] _requirements;
    private readonly bool _nothing;

    public static readonly LabelMatcher Nothing = new([], nothing: true);
    public static readonly LabelMatcher Everything = new([], nothing: false);

    private LabelMatcher((string, string, HashSet<string>)[] requirements, bool nothing)
    {
        _requirements = requirements;
        _nothing = nothing;
    }

    public static LabelMatcher From(M.Meta.V1.LabelSelector? selector, IReadOnlyDictionary<string, string>? extraMatchLabels = null)
    {
        if (selector is null) return Nothing;
        var reqs = new List<(string, string, HashSet<string>)>();
        foreach (var (k, v) in selector.MatchLabels ?? []) reqs.Add((k, "In", [v]));
        foreach (var e in selector.MatchExpressions ?? [])
            reqs.Add((e.Key ?? "", e.Operator ?? "", new HashSet<string>(e.Values ?? [], StringComparer.Ordinal)));
        if (extraMatchLabels is not null)
            foreach (var (k, v) in extraMatchLabels) reqs.Add((k, "In", [v]));
        return reqs.Count == 0 ? Everything : new LabelMatcher([.. reqs], nothing: false);
    }

    /// <summary>A selector of exact key=value pairs (a nodeSelector); empty matches everything.</summary>
    public static LabelMatcher FromMap(IReadOnlyDictionary<string, string>? labels) =>
        labels is null || labels.Count == 0 ? Everything : new LabelMatcher([.. labels.Select(kv => (kv.Key, "In", new HashSet<string> { kv.Value }))], nothing: false);

    public bool IsEverything => !_nothing && _requirements.Length == 0;

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        if (_nothing) return false;
        foreach (var (key, op, values) in _requirements)
        {
            string? value = null;
            var has = labels is not null && labels.TryGetValue(key, out value);
            var ok = op switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }
}
