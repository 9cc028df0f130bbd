using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Kubelet.Eviction;

/// <summary>Frees disk on the node without evicting a pod: what the eviction manager tries first under disk pressure.</summary>
public interface INodeReclaimer
{
    /// <summary>One reclaim; what it removed.</summary>
    Task<NodeReclaimResult> ReclaimAsync(CancellationToken ct);
}

public sealed record NodeReclaimResult(int Containers, int Images, long ImageBytes);

/// <summary>
/// Upstream's node-level reclaim for nodefs and imagefs pressure: container garbage collection (every exited
/// container but the newest instance of each of a pod's containers, which <c>kubectl logs --previous</c> and
/// lastState read) then image garbage collection (every image no container uses, as upstream's
/// DeleteUnusedImages). Pinned images are kept: the runtime's pinned ones, the sandbox image and the air-gap
/// images (<see cref="NodeRuntime.PinnedImages"/>); when those are unknown (an external runtime) images are not
/// touched. A removal the runtime refuses is logged and skipped. Thread-safe.
/// </summary>
public sealed class NodeReclaimer(RuntimeServiceClient runtime, ImageServiceClient images, Func<IReadOnlySet<string>?> pinned, ILogger<NodeReclaimer> log)
    : INodeReclaimer
{
    public async Task<NodeReclaimResult> ReclaimAsync(CancellationToken ct)
    {
        var containers = await runtime.ListContainersAsync(null, ct).ConfigureAwait(false);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in DeadContainersToRemove(containers))
        {
            try
            {
                await runtime.RemoveContainerAsync(c.Id, ct).ConfigureAwait(false);
                removed.Add(c.Id);
            }
            catch (RpcException e) { log.LogWarning("Reclaiming disk: removing container {Id} failed: {Error}", c.Id, e.Message); }
        }

        int imageCount = 0;
        long bytes = 0;
        if (pinned() is { } keep)
        {
            var remaining = containers.Where(c => !removed.Contains(c.Id)).ToList();
            foreach (var image in UnusedImages(await images.ListImagesAsync(null, ct).ConfigureAwait(false), remaining, keep))
            {
                try
                {
                    await images.RemoveImageAsync(image.Id, ct).ConfigureAwait(false);
                    imageCount++;
                    bytes += (long)image.Size;
                    log.LogInformation("Reclaiming disk: removed unused image {Image} ({Bytes} bytes)", image.RepoTags.FirstOrDefault() ?? image.Id, image.Size);
                }
                catch (RpcException e) { log.LogWarning("Reclaiming disk: removing image {Id} failed: {Error}", image.Id, e.Message); }
            }
        }
        return new NodeReclaimResult(removed.Count, imageCount, bytes);
    }

    /// <summary>Exited containers other than the newest instance of each (pod, container name).</summary>
    public static List<Container> DeadContainersToRemove(IEnumerable<Container> containers)
    {
        var result = new List<Container>();
        foreach (var group in containers.GroupBy(c => (Pod: c.Labels.GetValueOrDefault(PodNaming.PodUidLabel) ?? c.PodSandboxId,
                     Name: c.Labels.GetValueOrDefault(PodNaming.ContainerNameLabel) ?? c.Metadata?.Name ?? c.Id)))
        {
            var newest = group.MaxBy(c => (c.Metadata?.Attempt ?? 0, c.CreatedAt));
            result.AddRange(group.Where(c => c != newest && c.State == ContainerState.ContainerExited));
        }
        return result;
    }

    /// <summary>Images that no container uses and that are not pinned.</summary>
    public static List<Image> UnusedImages(IEnumerable<Image> all, IEnumerable<Container> containers, IReadOnlySet<string> pinned)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            if (c.ImageRef is { Length: > 0 } r) used.Add(r);
            if (c.ImageId is { Length: > 0 } id) used.Add(id);
            if (c.Image?.Image is { Length: > 0 } i) used.Add(i);
        }
        return all.Where(image => !image.Pinned
            && !used.Contains(image.Id)
            && !image.RepoTags.Concat(image.RepoDigests).Any(n => used.Contains(n) || pinned.Contains(n))).ToList();
    }
}
