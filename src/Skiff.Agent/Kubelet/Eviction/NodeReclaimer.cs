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
/// lastState read) then image garbage collection (<see cref="ImageGc.ImageGarbageCollector.DeleteUnusedAsync"/>: every
/// image no container uses, old enough and not pinned, as upstream's DeleteUnusedImages). Without a collector images
/// are not touched. A removal the runtime refuses is logged and skipped. Thread-safe.
/// </summary>
public sealed class NodeReclaimer(RuntimeServiceClient runtime, ImageGc.ImageGarbageCollector? imageGc, ILogger<NodeReclaimer> log)
    : INodeReclaimer
{
    public async Task<NodeReclaimResult> ReclaimAsync(CancellationToken ct)
    {
        var containers = await runtime.ListContainersAsync(null, ct).ConfigureAwait(false);
        var removed = 0;
        foreach (var c in DeadContainersToRemove(containers))
        {
            try
            {
                await runtime.RemoveContainerAsync(c.Id, ct).ConfigureAwait(false);
                removed++;
            }
            catch (RpcException e) { log.LogWarning("Reclaiming disk: removing container {Id} failed: {Error}", c.Id, e.Message); }
        }
        var images = imageGc is null ? ImageGc.ImageGcResult.None : await imageGc.DeleteUnusedAsync(ct).ConfigureAwait(false);
        return new NodeReclaimResult(removed, images.Images, images.Bytes);
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
}
