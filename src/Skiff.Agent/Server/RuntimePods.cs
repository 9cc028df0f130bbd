using Skiff.Agent.Cri;
using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Server;

/// <summary>
/// Finds a pod's sandbox and containers in the runtime by the metadata the kubelet gave them
/// (namespace, name, uid; container name and attempt), so the kubelet API needs no state of its own.
/// Stateless over the CRI client; every call asks the runtime.
/// </summary>
public sealed class RuntimePods(RuntimeServiceClient runtime)
{
    /// <summary>The pod's sandboxes, ready ones first, newest first.</summary>
    public async Task<IReadOnlyList<PodSandbox>> SandboxesAsync(string ns, string name, string? uid, CancellationToken ct)
    {
        var all = await runtime.ListPodSandboxAsync(null, ct).ConfigureAwait(false);
        return all.Where(s => s.Metadata.Namespace == ns && s.Metadata.Name == name && (string.IsNullOrEmpty(uid) || s.Metadata.Uid == uid))
            .OrderByDescending(s => s.State == PodSandboxState.SandboxReady)
            .ThenByDescending(s => s.CreatedAt)
            .ToList();
    }

    /// <summary>The running (or newest) sandbox of the pod, or null.</summary>
    public async Task<PodSandbox?> SandboxAsync(string ns, string name, string? uid, CancellationToken ct) =>
        (await SandboxesAsync(ns, name, uid, ct).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>
    /// The container named <paramref name="container"/> in the pod: the current instance, or with
    /// <paramref name="previous"/> the one before it (upstream's "previous terminated container").
    /// </summary>
    public async Task<Container?> ContainerAsync(string ns, string name, string? uid, string container, bool previous, CancellationToken ct)
    {
        var sandboxes = await SandboxesAsync(ns, name, uid, ct).ConfigureAwait(false);
        if (sandboxes.Count == 0) return null;
        var ids = sandboxes.Select(s => s.Id).ToHashSet();
        // The newest sandbox's pod uid decides which instances belong to the pod now (a recreated pod starts afresh).
        var podUid = sandboxes[0].Metadata.Uid;
        ids.IntersectWith(sandboxes.Where(s => s.Metadata.Uid == podUid).Select(s => s.Id));
        var containers = (await runtime.ListContainersAsync(null, ct).ConfigureAwait(false))
            .Where(c => ids.Contains(c.PodSandboxId) && c.Metadata.Name == container)
            .OrderByDescending(c => c.CreatedAt)
            .ToList();
        return containers.Skip(previous ? 1 : 0).FirstOrDefault();
    }

    public async Task<ContainerStatus?> StatusAsync(string containerId, CancellationToken ct) =>
        (await runtime.ContainerStatusAsync(containerId, false, ct).ConfigureAwait(false)).Status;
}
