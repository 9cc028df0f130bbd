using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Scheduler.Framework;
using Skiff.Api.Json;

namespace Skiff.Scheduler.Binding;

/// <summary><see cref="ISchedulerApi"/> over the scheduler's own <see cref="KubeClient"/>. Stateless; thread-safe.</summary>
public sealed class ClientSchedulerApi(KubeClient client) : ISchedulerApi
{
    public Task BindAsync(PodInfo pod, string nodeName, CancellationToken ct) =>
        client.Pods.BindAsync(pod.Namespace, pod.Name, nodeName, pod.Uid, ct);

    public async Task UpdatePodStatusAsync(PodInfo pod, PodCondition? condition, string? nominatedNodeName, CancellationToken ct, bool onlyWhileUnassigned = false)
    {
        var status = new JsonObject();
        if (condition is not null)
        {
            var c = new JsonObject
            {
                ["type"] = condition.Type,
                ["status"] = condition.Status,
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = KubernetesTime.FormatTime(condition.LastTransitionTime ?? DateTimeOffset.UtcNow),
            };
            if (condition.Reason is not null) c["reason"] = condition.Reason;
            if (condition.Message is not null) c["message"] = condition.Message;
            status["conditions"] = new JsonArray(c);
        }
        if (nominatedNodeName is not null) status["nominatedNodeName"] = nominatedNodeName.Length == 0 ? null : nominatedNodeName;
        for (var attempt = 0; ; attempt++)
        {
            var meta = new JsonObject { ["uid"] = pod.Uid };
            if (onlyWhileUnassigned)
            {
                // The resourceVersion makes the patch conditional on the version we saw unassigned.
                var current = await client.Pods.TryGetAsync(pod.Namespace, pod.Name, ct).ConfigureAwait(false);
                if (current is null || current.Metadata?.Uid != pod.Uid || !string.IsNullOrEmpty(current.Spec?.NodeName)) return;
                meta["resourceVersion"] = current.Metadata?.ResourceVersion;
            }
            var patch = new JsonObject { ["metadata"] = meta, ["status"] = status.DeepClone() };
            try
            {
                await client.Pods.PatchAsync(pod.Namespace, pod.Name, PatchType.StrategicMerge, patch.ToJsonString(), subresource: "status", ct: ct).ConfigureAwait(false);
                return;
            }
            catch (ApiException e) when (e.IsConflict && onlyWhileUnassigned && attempt < 3) { }
        }
    }

    public async Task DeletePodAsync(PodInfo pod, CancellationToken ct) =>
        await client.Pods.DeleteAsync(pod.Namespace, pod.Name, new Api.Models.Meta.V1.DeleteOptions
        {
            Preconditions = new Api.Models.Meta.V1.Preconditions { Uid = pod.Uid },
        }, ct).ConfigureAwait(false);

    public async Task BindVolumeAsync(PersistentVolume volume, PersistentVolumeClaim claim, CancellationToken ct)
    {
        var claimRef = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["claimRef"] = new JsonObject
                {
                    ["kind"] = "PersistentVolumeClaim",
                    ["apiVersion"] = "v1",
                    ["namespace"] = claim.Metadata?.Namespace,
                    ["name"] = claim.Metadata?.Name,
                    ["uid"] = claim.Metadata?.Uid,
                },
            },
        };
        await client.PersistentVolumes.PatchAsync(null, volume.Metadata!.Name!, PatchType.Merge, claimRef.ToJsonString(), ct: ct).ConfigureAwait(false);
        // Skiff has no persistent volume controller yet: complete the binding from the claim side too.
        var volumeName = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["pv.kubernetes.io/bind-completed"] = "yes" } },
            ["spec"] = new JsonObject { ["volumeName"] = volume.Metadata!.Name },
        };
        await client.PersistentVolumeClaims.PatchAsync(claim.Metadata?.Namespace, claim.Metadata!.Name!, PatchType.Merge, volumeName.ToJsonString(), ct: ct).ConfigureAwait(false);
    }

    public async Task SelectNodeForClaimAsync(PersistentVolumeClaim claim, string nodeName, CancellationToken ct)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["volume.kubernetes.io/selected-node"] = nodeName } },
        };
        await client.PersistentVolumeClaims.PatchAsync(claim.Metadata?.Namespace, claim.Metadata!.Name!, PatchType.Merge, patch.ToJsonString(), ct: ct).ConfigureAwait(false);
    }
}
