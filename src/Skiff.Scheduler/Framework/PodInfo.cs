using Skiff.Api.Models.Core.V1;

namespace Skiff.Scheduler.Framework;

/// <summary>One pod (anti-)affinity term, compiled: which namespaces, which pods, over which topology key.</summary>
public sealed record AffinityTerm(IReadOnlySet<string> Namespaces, LabelMatcher? NamespaceSelector, LabelMatcher Selector, string TopologyKey, int Weight)
{
    /// <summary>Whether <paramref name="pod"/> is one this term selects (namespace and labels).</summary>
    public bool Matches(PodInfo pod, Func<string, IReadOnlyDictionary<string, string>?> namespaceLabels)
    {
        if (!Namespaces.Contains(pod.Namespace) && !(NamespaceSelector is { } ns && ns.Matches(namespaceLabels(pod.Namespace)))) return false;
        return Selector.Matches(pod.Labels);
    }
}

/// <summary>A host port a pod asks for: (hostIP, protocol, port); hostIP "0.0.0.0" means every address.</summary>
public readonly record struct HostPort(string Ip, string Protocol, int Port);

/// <summary>
/// A pod plus what the scheduler derives from it once (requests, affinity terms, host ports, claims),
/// so that filters over thousands of nodes never re-read the spec. Immutable after construction
/// (the pod object itself must not be mutated); thread-safe.
/// </summary>
public sealed class PodInfo
{
    public PodInfo(Pod pod) : this(pod, null) { }

    private PodInfo(Pod pod, string? assumedNodeName)
    {
        Pod = pod;
        _assumedNodeName = assumedNodeName;
        var meta = pod.Metadata ?? new();
        Namespace = meta.Namespace ?? "";
        Name = meta.Name ?? "";
        Uid = meta.Uid ?? Key;
        Labels = meta.Labels ?? (IReadOnlyDictionary<string, string>)Empty;
        var spec = pod.Spec ?? new PodSpec();
        Priority = spec.Priority ?? 0;
        Requests = PodRequests.Compute(spec);
        NonZeroRequests = PodRequests.Compute(spec, nonZero: true);
        var affinity = spec.Affinity;
        RequiredAffinityTerms = Terms(affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, 1);
        RequiredAntiAffinityTerms = Terms(affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, 1);
        PreferredAffinityTerms = Weighted(affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);
        PreferredAntiAffinityTerms = Weighted(affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);
        var ports = new List<HostPort>();
        foreach (var c in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
            foreach (var p in c.Ports ?? [])
                if (p.HostPort is > 0 and var hp)
                    ports.Add(new HostPort(string.IsNullOrEmpty(p.HostIP) ? "0.0.0.0" : p.HostIP, string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol, hp));
        HostPorts = ports;
        ClaimNames = [.. (spec.Volumes ?? []).Where(v => v.PersistentVolumeClaim?.ClaimName is { Length: > 0 }).Select(v => v.PersistentVolumeClaim!.ClaimName!)];
        Images = [.. (spec.Containers ?? []).Select(c => c.Image ?? "").Where(i => i.Length > 0)];
    }

    private static readonly Dictionary<string, string> Empty = new();
    private readonly string? _assumedNodeName;

    public Pod Pod { get; }
    public string Namespace { get; }
    public string Name { get; }
    public string Key => Namespace + "/" + Name;
    public string Uid { get; }
    public IReadOnlyDictionary<string, string> Labels { get; }
    public int Priority { get; }
    /// <summary>The node the pod is bound to, or assumed onto while its binding is in flight.</summary>
    public string NodeName => _assumedNodeName ?? Pod.Spec?.NodeName ?? "";
    public bool IsTerminating => Pod.Metadata?.DeletionTimestamp is not null;
    public Resource Requests { get; }
    public Resource NonZeroRequests { get; }
    public IReadOnlyList<AffinityTerm> RequiredAffinityTerms { get; }
    public IReadOnlyList<AffinityTerm> RequiredAntiAffinityTerms { get; }
    public IReadOnlyList<AffinityTerm> PreferredAffinityTerms { get; }
    public IReadOnlyList<AffinityTerm> PreferredAntiAffinityTerms { get; }
    public IReadOnlyList<HostPort> HostPorts { get; }
    public IReadOnlyList<string> ClaimNames { get; }
    public IReadOnlyList<string> Images { get; }

    public bool HasAffinity => RequiredAffinityTerms.Count + RequiredAntiAffinityTerms.Count + PreferredAffinityTerms.Count + PreferredAntiAffinityTerms.Count > 0;
    public bool HasRequiredAntiAffinity => RequiredAntiAffinityTerms.Count > 0;

    /// <summary>When the pod started (for preemption's "newest victims first" order); creation time if not started.</summary>
    public DateTimeOffset StartTime => Pod.Status?.StartTime ?? Pod.Metadata?.CreationTimestamp ?? DateTimeOffset.MinValue;

    /// <summary>This pod as if bound to <paramref name="nodeName"/> (what the cache assumes while binding); the pod object is shared.</summary>
    public PodInfo WithNodeName(string nodeName) => new(Pod, nodeName);

    private IReadOnlyList<AffinityTerm> Terms(List<PodAffinityTerm>? terms, int weight)
    {
        if (terms is null || terms.Count == 0) return [];
        return [.. terms.Select(t => Term(t, weight))];
    }

    private IReadOnlyList<AffinityTerm> Weighted(List<WeightedPodAffinityTerm>? terms)
    {
        if (terms is null || terms.Count == 0) return [];
        return [.. terms.Where(t => t.PodAffinityTerm is not null).Select(t => Term(t.PodAffinityTerm!, t.Weight ?? 0))];
    }

    private AffinityTerm Term(PodAffinityTerm t, int weight)
    {
        // matchLabelKeys / mismatchLabelKeys add the incoming pod's own values to the selector.
        Dictionary<string, string>? extra = null;
        foreach (var k in t.MatchLabelKeys ?? [])
            if (Labels.TryGetValue(k, out var v)) (extra ??= [])[k] = v;
        var selector = LabelMatcher.From(t.LabelSelector, extra);
        var namespaces = (t.Namespaces is { Count: > 0 } || t.NamespaceSelector is not null)
            ? new HashSet<string>(t.Namespaces ?? [], StringComparer.Ordinal)
            : new HashSet<string>([Namespace], StringComparer.Ordinal);
        var nsSelector = t.NamespaceSelector is null ? null : LabelMatcher.From(t.NamespaceSelector);
        return new AffinityTerm(namespaces, nsSelector, selector, t.TopologyKey ?? "", weight);
    }
}
