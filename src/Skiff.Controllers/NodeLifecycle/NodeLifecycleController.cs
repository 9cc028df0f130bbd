using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Coordination.V1;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.NodeLifecycle;

/// <summary>How the node lifecycle controller watches nodes (upstream's kube-controller-manager flags). Immutable.</summary>
public sealed record NodeLifecycleOptions
{
    /// <summary>--node-monitor-period: how often every node's health is checked.</summary>
    public TimeSpan MonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>--node-monitor-grace-period: how long a node may go unheard before its conditions are Unknown (upstream: 50 s).</summary>
    public TimeSpan MonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(50);

    /// <summary>--node-startup-grace-period: the same for a node that never reported Ready.</summary>
    public TimeSpan StartupGracePeriod { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Upstream's node lifecycle controller, without its eviction of pods: every monitor period it checks each Node's
/// heartbeat (the Ready condition's lastHeartbeatTime and the Lease in kube-node-lease); a node unheard for the grace
/// period gets its kubelet conditions set to Unknown, a NodeNotReady event, and its pods' Ready condition set to
/// False (each with a NodeNotReady event). And it keeps the well-known taints in step with the conditions
/// (<see cref="NodeHealth.DesiredTaints"/>): node.kubernetes.io/not-ready or unreachable (NoSchedule and NoExecute),
/// memory-, disk- and pid-pressure, network-unavailable and unschedulable (NoSchedule). Writes are patches with the
/// node's resourceVersion as precondition (a conflict waits for the next pass): status conditions merged by type,
/// taints replaced. The taint eviction controller acts on the NoExecute taints.
/// </summary>
public sealed class NodeLifecycleController(KubeClient client, SharedInformerFactory informers, NodeLifecycleOptions options, ILoggerFactory loggers,
    TimeProvider? time = null)
{
    private const string LeaseNamespace = "kube-node-lease";
    private static readonly WriteOptions Write = new() { FieldManager = "node-lifecycle-controller" };
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        var log = loggers.CreateLogger("node-lifecycle");
        var nodes = informers.For<Node, NodeList>();
        var leases = informers.For<Lease, LeaseList>();
        var pods = informers.For<Pod, PodList>();
        await using var recorder = ControllerEvents.Start(client, "node-controller", loggers);
        informers.Start(ct);
        await informers.WaitForCacheSyncAsync(ct);

        var heartbeats = new NodeHeartbeats();
        using var timer = new PeriodicTimer(options.MonitorPeriod, _time);
        try
        {
            do
            {
                var now = _time.GetUtcNow();
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var node in nodes.Store.List())
                {
                    if (node.Metadata?.Name is not { } name) continue;
                    names.Add(name);
                    try { await SyncAsync(node, leases.Store.Get(LeaseNamespace, name), heartbeats, pods.Store.List, recorder, log, now, ct); }
                    catch (ApiException e) { log.LogInformation("Node {Node}: {Error}; trying again next pass", name, e.Message); }
                }
                heartbeats.Retain(names); // nodes that are gone are forgotten
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task SyncAsync(Node node, Lease? lease, NodeHeartbeats heartbeats, Func<IReadOnlyList<Pod>> pods, ControllerEvents recorder, ILogger log,
        DateTimeOffset now, CancellationToken ct)
    {
        var name = node.Metadata!.Name!;
        var heard = heartbeats.Observe(name, NodeHeartbeats.Beat(node, lease?.Spec?.RenewTime), now);
        var ready = NodeHealth.Condition(node, "Ready");
        var grace = ready is null ? options.StartupGracePeriod : options.MonitorGracePeriod;
        if (now - heard > grace && NodeHealth.UnknownConditions(node, now) is { Count: > 0 } unknown)
        {
            // Conditional on the node as seen: a kubelet that has just posted again must not be overwritten.
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject { ["resourceVersion"] = node.Metadata?.ResourceVersion },
                ["status"] = new JsonObject { ["conditions"] = new JsonArray([.. unknown.Select(c => (JsonNode)Condition(c))]) },
            };
            node = await client.Nodes.PatchAsync(null, name, PatchType.StrategicMerge, patch.ToJsonString(), Write, "status", ct);
            if (ready?.Status != "Unknown")
            {
                log.LogWarning("Node {Node} has not been heard from for {Seconds:0}s: its conditions are Unknown", name, (now - heard).TotalSeconds);
                recorder.Record(NodeRef(node), "Normal", "NodeNotReady", $"Node {name} status is now: NodeNotReady");
                await MarkPodsNotReadyAsync(name, pods(), recorder, log, now, ct);
            }
        }

        var taints = NodeHealth.DesiredTaints(node, now);
        if (!NodeHealth.SameTaints(taints, node.Spec?.Taints ?? []))
        {
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject { ["resourceVersion"] = node.Metadata?.ResourceVersion },
                ["spec"] = new JsonObject { ["taints"] = new JsonArray([.. taints.Select(t => (JsonNode)Taint(t))]) },
            };
            await client.Nodes.PatchAsync(null, name, PatchType.Merge, patch.ToJsonString(), Write, ct: ct);
            log.LogInformation("Node {Node}: taints now [{Taints}]", name, string.Join(", ", taints.Select(t => $"{t.Key}:{t.Effect}")));
        }
    }

    /// <summary>Upstream's MarkPodsNotReady: each pod on the node gets Ready False, and a NodeNotReady event.</summary>
    private async Task MarkPodsNotReadyAsync(string node, IReadOnlyList<Pod> pods, ControllerEvents recorder, ILogger log, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var pod in pods.Where(p => p.Spec?.NodeName == node))
        {
            if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is not { } ready || ready.Status == "False") continue;
            try
            {
                await client.Pods.PatchAsync(pod.Metadata!.Namespace, pod.Metadata.Name!, PatchType.StrategicMerge,
                    PodStatusPatches.Condition("Ready", "False", now), Write, "status", ct);
                recorder.Record(ControllerEvents.PodRef(pod), "Warning", "NodeNotReady", "Node is not ready");
            }
            catch (ApiException e) when (e.IsNotFound) { }
            catch (ApiException e) { log.LogInformation("Pod {Namespace}/{Pod}: cannot set Ready to False: {Error}", pod.Metadata!.Namespace, pod.Metadata.Name, e.Message); }
        }
    }

    private static ObjectReference NodeRef(Node node) =>
        new() { Kind = "Node", ApiVersion = "v1", Name = node.Metadata?.Name, Uid = node.Metadata?.Uid };

    private static JsonObject Condition(NodeCondition c) => new()
    {
        ["type"] = c.Type, ["status"] = c.Status, ["reason"] = c.Reason, ["message"] = c.Message,
        ["lastHeartbeatTime"] = c.LastHeartbeatTime is { } h ? Time(h) : null, ["lastTransitionTime"] = c.LastTransitionTime is { } t ? Time(t) : null,
    };

    private static JsonObject Taint(Taint t)
    {
        var o = new JsonObject { ["key"] = t.Key, ["effect"] = t.Effect };
        if (t.Value is not null) o["value"] = t.Value;
        if (t.TimeAdded is { } added) o["timeAdded"] = Time(added);
        return o;
    }

    private static string Time(DateTimeOffset t) => PodStatusPatches.Time(t);
}
