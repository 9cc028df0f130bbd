using Skiff.Api.Models.Core.V1;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// A node and what is placed on it: its pods (bound and assumed), the resources they request, the host
/// ports they hold, which of them carry (anti-)affinity, the images the node has and the claims its pods
/// use. The cache owns the live ones and bumps <see cref="Generation"/> on every change; a scheduling cycle
/// reads clones (<see cref="Clone"/>) from a snapshot. Not thread-safe: live ones are guarded by the cache's
/// lock, snapshot clones are read-only while a cycle runs (preemption works on its own clones).
/// </summary>
public sealed class NodeInfo
{
    private static long s_generation;

    /// <summary>A process-wide increasing number, so a snapshot can tell which nodes changed since it was taken.</summary>
    public static long NextGeneration() => Interlocked.Increment(ref s_generation);

    public NodeInfo() { }

    /// <summary>A placeholder for pods bound to a node the cache has not seen yet.</summary>
    public NodeInfo(string name) => Name = name;

    public Node? Node { get; private set; }
    public string Name { get; private set; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; private set; } = new Dictionary<string, string>();
    public List<PodInfo> Pods { get; private set; } = [];
    public List<PodInfo> PodsWithAffinity { get; private set; } = [];
    public List<PodInfo> PodsWithRequiredAntiAffinity { get; private set; } = [];
    public HashSet<HostPort> UsedPorts { get; private set; } = [];
    public Resource Requested { get; private set; } = new();
    public Resource NonZeroRequested { get; private set; } = new();
    public Resource Allocatable { get; private set; } = new();
    /// <summary>Normalized image name → size in bytes, for the images the node reports.</summary>
    public Dictionary<string, long> ImageSizes { get; private set; } = new(StringComparer.Ordinal);
    /// <summary>"namespace/claim" → how many pods on the node use it.</summary>
    public Dictionary<string, int> ClaimRefCounts { get; private set; } = new(StringComparer.Ordinal);
    public long Generation { get; private set; } = NextGeneration();

    public IReadOnlyList<Taint> Taints => Node?.Spec?.Taints ?? (IReadOnlyList<Taint>)[];

    public void SetNode(Node node)
    {
        Node = node;
        Name = node.Metadata?.Name ?? "";
        Labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        Allocatable = Resource.From(node.Status?.Allocatable ?? node.Status?.Capacity);
        ImageSizes = new(StringComparer.Ordinal);
        foreach (var image in node.Status?.Images ?? [])
            foreach (var name in image.Names ?? [])
                ImageSizes[ImageNames.Normalize(name)] = image.SizeBytes ?? 0;
        Generation = NextGeneration();
    }

    /// <summary>Forgets the node object (deleted) while pods may still point at it.</summary>
    public void RemoveNode()
    {
        Node = null;
        Generation = NextGeneration();
    }

    public void AddPod(PodInfo pod)
    {
        Pods.Add(pod);
        if (pod.HasAffinity) PodsWithAffinity.Add(pod);
        if (pod.HasRequiredAntiAffinity) PodsWithRequiredAntiAffinity.Add(pod);
        Update(pod, +1);
    }

    /// <summary>Removes the pod with <paramref name="uid"/>; false when it is not on this node.</summary>
    public bool RemovePod(string uid)
    {
        var i = Pods.FindIndex(p => p.Uid == uid);
        if (i < 0) return false;
        var pod = Pods[i];
        Pods.RemoveAt(i);
        PodsWithAffinity.RemoveAll(p => p.Uid == uid);
        PodsWithRequiredAntiAffinity.RemoveAll(p => p.Uid == uid);
        Update(pod, -1);
        return true;
    }

    private void Update(PodInfo pod, int sign)
    {
        Requested.Add(pod.Requests, sign);
        NonZeroRequested.Add(pod.NonZeroRequests, sign);
        foreach (var p in pod.HostPorts)
        {
            if (sign > 0) UsedPorts.Add(p);
            else UsedPorts.Remove(p);
        }
        foreach (var claim in pod.ClaimNames)
        {
            var key = pod.Namespace + "/" + claim;
            var n = ClaimRefCounts.GetValueOrDefault(key) + sign;
            if (n <= 0) ClaimRefCounts.Remove(key); else ClaimRefCounts[key] = n;
        }
        Generation = NextGeneration();
    }

    /// <summary>A copy whose lists and counters are independent of this one (pods and the node object are shared, read-only).</summary>
    public NodeInfo Clone() => new()
    {
        Node = Node,
        Name = Name,
        Labels = Labels,
        Pods = [.. Pods],
        PodsWithAffinity = [.. PodsWithAffinity],
        PodsWithRequiredAntiAffinity = [.. PodsWithRequiredAntiAffinity],
        UsedPorts = [.. UsedPorts],
        Requested = Requested.Clone(),
        NonZeroRequested = NonZeroRequested.Clone(),
        Allocatable = Allocatable.Clone(),
        ImageSizes = ImageSizes,
        ClaimRefCounts = new(ClaimRefCounts, StringComparer.Ordinal),
        Generation = Generation,
    };

    /// <summary>Whether a host port is free: a wildcard address conflicts with every address, and the other way round.</summary>
    public bool PortConflicts(HostPort wanted)
    {
        foreach (var used in UsedPorts)
        {
            if (used.Port != wanted.Port || used.Protocol != wanted.Protocol) continue;
            if (used.Ip == wanted.Ip || used.Ip == "0.0.0.0" || wanted.Ip == "0.0.0.0") return true;
        }
        return false;
    }

    public override string ToString() => $"{Name}: {Pods.Count} pods, requested {Requested}, allocatable {Allocatable}";
}

/// <summary>Image names as the kubelet reports them: a name without tag or digest means ":latest".</summary>
public static class ImageNames
{
    public static string Normalize(string image)
    {
        if (image.Contains('@')) return image;
        var lastSlash = image.LastIndexOf('/');
        var tagColon = image.IndexOf(':', lastSlash + 1);
        return tagColon < 0 ? image + ":latest" : image;
    }
}
