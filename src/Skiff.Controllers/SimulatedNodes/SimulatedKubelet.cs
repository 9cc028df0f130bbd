using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Client.WorkQueue;
using Skiff.Api.Json;

namespace Skiff.Controllers.SimulatedNodes;

/// <summary>
/// What a kubelet does for a pod, without running anything (like kwok): a pod bound to a simulated node
/// is reported Running and Ready at once, with a fake pod IP from the node's range and running container
/// statuses; a pod marked for deletion is removed with grace 0, as a kubelet does once its containers
/// stopped. Watches every pod, works on keys from a rate-limited queue with a few workers.
/// </summary>
public sealed class SimulatedKubelet(KubeClient client, SimulatedNodeOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("simulated-nodes");
    private readonly Dictionary<string, int> _nextIp = new(StringComparer.Ordinal);
    private readonly Lock _ipLock = new();

    public async Task RunAsync(CancellationToken ct)
    {
        await using var informer = new SharedInformer<Pod>(client.Pods, null, SharedInformerOptions.Default, loggers.CreateLogger("simulated-nodes.pods"));
        var queue = new RateLimitingQueue<string>();
        informer.AddEventHandler(ResourceEventHandler<Pod>.ForAll(p =>
        {
            if (NodeIndex(p.Spec?.NodeName) >= 0) queue.Add(ObjectKey.For(p.Metadata?.Namespace, p.Metadata?.Name ?? ""));
        }));
        informer.Start(ct);
        await informer.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
        var workers = Enumerable.Range(0, options.Concurrency).Select(_ => WorkAsync(informer, queue, ct)).ToList();
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await queue.ShutDownAsync(drain: false).ConfigureAwait(false);
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    /// <summary>The index of a simulated node by name, or -1 for any other node.</summary>
    private int NodeIndex(string? nodeName)
    {
        if (nodeName is null || !nodeName.StartsWith(options.NamePrefix, StringComparison.Ordinal)) return -1;
        return int.TryParse(nodeName.AsSpan(options.NamePrefix.Length), out var i) && i >= 0 && i < options.Count ? i : -1;
    }

    private async Task WorkAsync(SharedInformer<Pod> informer, RateLimitingQueue<string> queue, CancellationToken ct)
    {
        while (true)
        {
            string key;
            try
            {
                var (item, shutDown) = await queue.GetAsync(ct).ConfigureAwait(false);
                if (shutDown) return;
                key = item;
            }
            catch (OperationCanceledException) { return; }
            try
            {
                await SyncAsync(informer.Store.Get(key), ct).ConfigureAwait(false);
                queue.Forget(key);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is ApiException or HttpRequestException or IOException)
            {
                if (e is ApiException { IsNotFound: true }) queue.Forget(key);
                else
                {
                    _log.LogDebug("Simulated kubelet will retry {Pod}: {Error}", key, e.Message);
                    queue.AddRateLimited(key);
                }
            }
            finally { queue.Done(key); }
        }
    }

    private async Task SyncAsync(Pod? pod, CancellationToken ct)
    {
        if (pod?.Metadata is not { Name: { } name } meta) return;
        var node = NodeIndex(pod.Spec?.NodeName);
        if (node < 0) return;
        if (meta.DeletionTimestamp is not null)
        {
            await client.Pods.DeleteAsync(meta.Namespace, name, new Api.Models.Meta.V1.DeleteOptions
            {
                GracePeriodSeconds = 0,
                Preconditions = new Api.Models.Meta.V1.Preconditions { Uid = meta.Uid },
            }, ct).ConfigureAwait(false);
            return;
        }
        if (pod.Status?.Phase is "Running" or "Succeeded" or "Failed") return;
        await client.Pods.PatchAsync(meta.Namespace, name, PatchType.Merge, RunningStatus(pod, node).ToJsonString(), subresource: "status", ct: ct).ConfigureAwait(false);
    }

    private JsonObject RunningStatus(Pod pod, int node)
    {
        int host;
        lock (_ipLock)
        {
            host = _nextIp.GetValueOrDefault(pod.Spec!.NodeName!);
            _nextIp[pod.Spec.NodeName!] = host + 1;
        }
        var podIp = $"10.{64 + (node >> 8)}.{node & 0xff}.{host % 254 + 1}";
        var now = KubernetesTime.FormatTime(DateTimeOffset.UtcNow);
        JsonObject Condition(string type) => new() { ["type"] = type, ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = now };
        var containers = new JsonArray();
        foreach (var c in pod.Spec.Containers ?? [])
            containers.Add((JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["image"] = c.Image,
                ["imageID"] = "",
                ["containerID"] = $"simulated://{pod.Metadata!.Uid}-{c.Name}",
                ["ready"] = true,
                ["started"] = true,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
            });
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["uid"] = pod.Metadata!.Uid },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["conditions"] = new JsonArray(Condition("PodReadyToStartContainers"), Condition("Initialized"), Condition("Ready"), Condition("ContainersReady"), Condition("PodScheduled")),
                ["hostIP"] = SimulatedNodeOptions.NodeIp(node),
                ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = SimulatedNodeOptions.NodeIp(node) }),
                ["podIP"] = podIp,
                ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp }),
                ["startTime"] = now,
                ["qosClass"] = pod.Status?.QosClass ?? "BestEffort",
                ["containerStatuses"] = containers,
            },
        };
    }
}
