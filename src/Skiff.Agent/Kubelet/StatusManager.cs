using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Api.Json;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Agent.Kubelet;

/// <summary>Where pod statuses go; the API server in production, a recorder in tests.</summary>
public interface IPodStatusWriter
{
    Task WriteAsync(Pod pod, PodStatus status, CancellationToken ct);
}

/// <summary>
/// Sends pod statuses to the API server through pods/status, only when they changed since the last one
/// sent for that pod (compared as JSON). A merge patch of the status alone: the kubelet owns every field it
/// writes, lists included, so replacing them is right, and no resourceVersion means no conflicts with other
/// writers of the pod. Thread-safe; one pod's writes are serialized by its pod worker.
/// </summary>
public sealed class StatusManager(IPodStatusWriter writer, ILogger<StatusManager> log)
{
    private readonly ConcurrentDictionary<string, string> _sent = new();

    /// <summary>True when a write was needed (and done).</summary>
    public async Task<bool> SetAsync(Pod pod, PodStatus status, CancellationToken ct)
    {
        var uid = PodNaming.Uid(pod);
        var json = ModelJson.Serialize(status);
        if (_sent.TryGetValue(uid, out var last) && last == json) return false;
        if (!_sent.ContainsKey(uid) && pod.Status is { } current
            && ModelJson.Serialize(current) == json)
        {
            _sent[uid] = json;
            return false;
        }
        await writer.WriteAsync(pod, status, ct).ConfigureAwait(false);
        _sent[uid] = json;
        log.LogDebug("Pod {Pod} status: phase {Phase}", PodNaming.FullName(pod), status.Phase);
        return true;
    }

    public void Forget(string uid) => _sent.TryRemove(uid, out _);
}

/// <summary>Merge-patches pods/status on the API server.</summary>
public sealed class ApiPodStatusWriter(KubeClient client) : IPodStatusWriter
{
    public async Task WriteAsync(Pod pod, PodStatus status, CancellationToken ct)
    {
        var body = new JsonObject { ["status"] = ModelJson.SerializeToNode(status) };
        try
        {
            await client.Pods.PatchAsync(pod.Metadata!.Namespace, pod.Metadata.Name!, PatchType.Merge, body.ToJsonString(),
                new WriteOptions { FieldManager = "skiff-kubelet" }, subresource: "status", ct: ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound) { }
    }
}
