using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Policy.V1;

using Skiff.Client.Typed;

namespace Skiff.Client;

/// <summary>
/// The pod subresources components call: binding (the scheduler) and eviction (drain, disruption).
/// Straight calls to the API server; safe from any thread.
/// </summary>
public static class PodSubresources
{
    /// <summary>Assigns the pod to <paramref name="nodeName"/> (409 when already assigned).</summary>
    public static Task BindAsync(this ResourceClient<Pod> pods, string ns, string podName, string nodeName, string? podUid = null, CancellationToken ct = default)
    {
        var binding = new Binding
        {
            ApiVersion = "v1",
            Kind = "Binding",
            Metadata = new() { Name = podName, Namespace = ns, Uid = podUid },
            Target = new ObjectReference { Kind = "Node", Name = nodeName, ApiVersion = "v1" },
        };
        return pods.CreateSubresourceAsync(ns, podName, "binding", ModelJson.SerializeToUtf8Bytes(binding), ct);
    }

    /// <summary>Asks to evict the pod, honouring PodDisruptionBudgets (429 when a budget forbids it now).</summary>
    public static Task EvictAsync(this ResourceClient<Pod> pods, string ns, string podName,
        Skiff.Api.Models.Meta.V1.DeleteOptions? deleteOptions = null, CancellationToken ct = default)
    {
        var eviction = new Eviction
        {
            ApiVersion = "policy/v1",
            Kind = "Eviction",
            Metadata = new() { Name = podName, Namespace = ns },
            DeleteOptions = deleteOptions,
        };
        return pods.CreateSubresourceAsync(ns, podName, "eviction", ModelJson.SerializeToUtf8Bytes(eviction), ct);
    }
}
