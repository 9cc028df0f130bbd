using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins;

/// <summary>
/// Prefers nodes that already have the pod's images, weighted by image size and by how many nodes
/// have the image (an image everywhere says nothing), clamped between 23 MB and 1000 MB per container.
/// </summary>
public sealed class ImageLocality : IPreScorePlugin, IScorePlugin
{
    private const long Mb = 1024 * 1024;
    private const long MinThreshold = 23 * Mb;
    private const long MaxContainerThreshold = 1000 * Mb;
    private const string Key = "PreScoreImageLocality";

    public string Name => "ImageLocality";

    private sealed record State(Dictionary<string, int> ImageNodeCounts, int TotalNodes, string[] Images);

    public Status? PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes, Snapshot snapshot)
    {
        if (pod.Images.Count == 0 || snapshot.ImageNodeCounts.Count == 0) return Status.SkipStatus;
        state.Write(Key, new State(snapshot.ImageNodeCounts, Math.Max(1, snapshot.Nodes.Count), [.. pod.Images.Select(ImageNames.Normalize)]));
        return null;
    }

    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        if (state.Read<State>(Key) is not { } s) return 0;
        long sum = 0;
        foreach (var image in s.Images)
            if (node.ImageSizes.TryGetValue(image, out var size))
                sum += (long)(size * ((double)s.ImageNodeCounts.GetValueOrDefault(image) / s.TotalNodes));
        var max = MaxContainerThreshold * s.Images.Length;
        sum = Math.Clamp(sum, MinThreshold, max);
        return Scoring.MaxNodeScore * (sum - MinThreshold) / (max - MinThreshold);
    }
}
