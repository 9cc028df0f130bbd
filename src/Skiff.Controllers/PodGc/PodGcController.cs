using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.PodGc;

/// <summary>How the pod garbage collector works (upstream's constants and --terminated-pod-gc-threshold). Immutable.</summary>
public sealed record PodGcOptions
{
    /// <summary>How often it runs (upstream's gcCheckPeriod).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a pod's node must be missing before the pod is deleted (upstream's quarantineTime).</summary>
    public TimeSpan Quarantine { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>--terminated-pod-gc-threshold: finished pods kept before the oldest are deleted; 0 keeps them all.</summary>
    public int TerminatedPodThreshold { get; init; } = 12500;
}

/// <summary>
/// The pod garbage collector's decisions, with no I/O (upstream's podgc): which finished pods are too many, which pods
/// are bound to a node that no longer exists or is out of service, and which are being deleted without ever having
/// been scheduled.
/// </summary>
public static class PodGcDecisions
{
    /// <summary>The taint an administrator puts on a node known to be down (upstream's TaintNodeOutOfService).</summary>
    public const string OutOfServiceTaint = "node.kubernetes.io/out-of-service";

    public static bool IsTerminated(Pod p) => p.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>
    /// The finished pods beyond <paramref name="threshold"/>, in the order they go: those the kubelet evicted first,
    /// then the oldest (by creation, then name), as upstream's gcTerminated.
    /// </summary>
    public static List<Pod> TerminatedOverThreshold(IReadOnlyList<Pod> pods, int threshold)
    {
        if (threshold <= 0) return [];
        var finished = pods.Where(IsTerminated).ToList();
        var excess = finished.Count - threshold;
        return excess <= 0 ? [] : [.. InDeletionOrder(finished).Take(excess)];
    }

    /// <summary>
    /// Pods being deleted on a node that is not Ready and carries the out-of-service taint (upstream's gcTerminating):
    /// the administrator has said the node is down, so no kubelet will finish them. Evicted first, then the oldest.
    /// </summary>
    public static List<Pod> TerminatingOnOutOfServiceNodes(IReadOnlyList<Pod> pods, IReadOnlyDictionary<string, Node> nodes) =>
        [.. InDeletionOrder(pods.Where(p => p.Metadata?.DeletionTimestamp is not null
            && p.Spec?.NodeName is { Length: > 0 } name && nodes.TryGetValue(name, out var node) && IsOutOfService(node)))];

    /// <summary>Not Ready (the condition False, Unknown or missing) and tainted out-of-service.</summary>
    public static bool IsOutOfService(Node node) =>
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") != true
        && node.Spec?.Taints?.Any(t => t.Key == OutOfServiceTaint) == true;

    /// <summary>Pods bound to a node not in <paramref name="nodes"/>.</summary>
    public static List<Pod> Orphaned(IReadOnlyList<Pod> pods, IReadOnlySet<string> nodes) =>
        [.. pods.Where(p => p.Spec?.NodeName is { Length: > 0 } n && !nodes.Contains(n))];

    /// <summary>Pods being deleted that were never bound to a node: no kubelet will ever finish them.</summary>
    public static List<Pod> UnscheduledTerminating(IReadOnlyList<Pod> pods) =>
        [.. pods.Where(p => p.Metadata?.DeletionTimestamp is not null && string.IsNullOrEmpty(p.Spec?.NodeName))];

    /// <summary>Upstream's byEvictionAndCreationTimestamp: evicted pods (Failed, reason Evicted) first, then by creation and name.</summary>
    private static IEnumerable<Pod> InDeletionOrder(IEnumerable<Pod> pods) =>
        pods.OrderBy(p => p.Status is { Phase: "Failed", Reason: "Evicted" } ? 0 : 1)
            .ThenBy(p => p.Metadata?.CreationTimestamp ?? DateTimeOffset.MinValue)
            .ThenBy(p => p.Metadata?.Name, StringComparer.Ordinal);
}

/// <summary>
/// Upstream's pod garbage collector. Every 20 s it force-deletes (grace period 0), in upstream's order: the oldest
/// finished pods beyond the terminated-pod threshold (12,500); pods being deleted on a node that is not Ready and is
/// tainted node.kubernetes.io/out-of-service; pods whose node has been gone for the 40 s quarantine, checked against
/// the API server itself and not only the cache, with the DisruptionTarget condition (reason DeletionByPodGC, "PodGC:
/// node no longer exists"); and pods being deleted that were never scheduled. A pod not yet finished is marked Failed
/// first, so that whoever watches it (a Job, say) sees it end.
/// </summary>
public sealed class PodGcController(KubeClient client, SharedInformerFactory informers, PodGcOptions options, ILoggerFactory loggers, TimeProvider? time = null)
{
    private static readonly WriteOptions Write = new() { FieldManager = "pod-garbage-collector" };
    private static readonly DeleteOptions Force = new() { GracePeriodSeconds = 0 };
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        var log = loggers.CreateLogger("pod-gc");
        var nodes = informers.For<Node, NodeList>();
        var pods = informers.For<Pod, PodList>();
        informers.Start(ct);
        await informers.WaitForCacheSyncAsync(ct);

        var missingSince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(options.Period, _time);
        try
        {
            do
            {
                var now = _time.GetUtcNow();
                var all = pods.Store.List();
                foreach (var pod in PodGcDecisions.TerminatedOverThreshold(all, options.TerminatedPodThreshold))
                    await DeleteAsync(pod, null, log, "it is over the terminated pod threshold", ct);

                var byName = nodes.Store.List().Where(n => n.Metadata?.Name is not null).ToDictionary(n => n.Metadata!.Name!, StringComparer.Ordinal);
                foreach (var pod in PodGcDecisions.TerminatingOnOutOfServiceNodes(all, byName))
                    await DeleteAsync(pod, null, log, $"it is being deleted on {pod.Spec!.NodeName}, which is out of service", ct);

                var known = byName.Keys.ToHashSet(StringComparer.Ordinal);
                var orphaned = PodGcDecisions.Orphaned(all, known);
                foreach (var gone in missingSince.Keys.Where(n => known.Contains(n) || orphaned.All(p => p.Spec!.NodeName != n)).ToList()) missingSince.Remove(gone);
                foreach (var group in orphaned.GroupBy(p => p.Spec!.NodeName!))
                {
                    var since = missingSince.TryGetValue(group.Key, out var s) ? s : missingSince[group.Key] = now;
                    if (now - since < options.Quarantine) continue;
                    // The cache may be behind: only a node the API server does not have is gone.
                    if (await client.Nodes.TryGetAsync(null, group.Key, ct) is not null) continue;
                    foreach (var pod in group) await DeleteAsync(pod, "PodGC: node no longer exists", log, $"its node {group.Key} no longer exists", ct);
                }

                foreach (var pod in PodGcDecisions.UnscheduledTerminating(all))
                    await DeleteAsync(pod, null, log, "it is being deleted and was never scheduled", ct);
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task DeleteAsync(Pod pod, string? disruption, ILogger log, string why, CancellationToken ct)
    {
        var (ns, name) = (pod.Metadata!.Namespace, pod.Metadata.Name!);
        try
        {
            if (!PodGcDecisions.IsTerminated(pod))
            {
                var status = disruption is null
                    ? PodStatusPatches.Phase("Failed")
                    : PodStatusPatches.Condition("DisruptionTarget", "True", _time.GetUtcNow(), "DeletionByPodGC", disruption, phase: "Failed");
                await client.Pods.PatchAsync(ns, name, PatchType.StrategicMerge, status, Write, "status", ct);
            }
            await client.Pods.DeleteAsync(ns, name, Force, ct);
            log.LogInformation("Force-deleted pod {Namespace}/{Pod}: {Why}", ns, name, why);
        }
        catch (ApiException e) when (e.IsNotFound) { }
        catch (ApiException e) { log.LogWarning("Pod {Namespace}/{Pod}: the pod garbage collector could not delete it: {Error}", ns, name, e.Message); }
    }
}
