namespace Skiff.Scheduler.Framework;

/// <summary>
/// The nodes a scheduling cycle sees: clones of the cache's node infos taken at the start of the cycle,
/// refreshed incrementally (only nodes whose generation moved are re-cloned). Read-only during a cycle;
/// only the scheduling loop updates it, between cycles.
/// </summary>
public sealed class Snapshot
{
    internal readonly Dictionary<string, NodeInfo> ByName = new(StringComparer.Ordinal);
    internal long Generation;

    /// <summary>Nodes with a Node object, in the cache's order.</summary>
    public List<NodeInfo> Nodes { get; internal set; } = [];
    /// <summary>Nodes with at least one pod that has (anti-)affinity terms.</summary>
    public List<NodeInfo> NodesWithAffinityPods { get; internal set; } = [];
    /// <summary>Nodes with at least one pod that has required anti-affinity terms.</summary>
    public List<NodeInfo> NodesWithRequiredAntiAffinityPods { get; internal set; } = [];
    /// <summary>Normalized image name → how many nodes have it (for ImageLocality's spread factor).</summary>
    public Dictionary<string, int> ImageNodeCounts { get; internal set; } = new(StringComparer.Ordinal);

    public NodeInfo? Get(string name) => ByName.TryGetValue(name, out var n) && n.Node is not null ? n : null;

    /// <summary>A snapshot over exactly <paramref name="nodes"/> (tests and simulations).</summary>
    public static Snapshot Of(IEnumerable<NodeInfo> nodes)
    {
        var s = new Snapshot();
        foreach (var n in nodes) s.ByName[n.Name] = n;
        s.Rebuild([.. s.ByName.Values]);
        return s;
    }

    internal void Rebuild(List<NodeInfo> ordered)
    {
        Nodes = [.. ordered.Where(n => n.Node is not null)];
        NodesWithAffinityPods = [.. Nodes.Where(n => n.PodsWithAffinity.Count > 0)];
        NodesWithRequiredAntiAffinityPods = [.. Nodes.Where(n => n.PodsWithRequiredAntiAffinity.Count > 0)];
        var images = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in Nodes)
            foreach (var image in n.ImageSizes.Keys) images[image] = images.GetValueOrDefault(image) + 1;
        ImageNodeCounts = images;
    }
}
