using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Taints;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.TaintEviction;

/// <summary>
/// What a node's NoExecute taints mean for one pod (upstream's taint eviction controller, processPodOnNode): a taint
/// no toleration matches evicts at once; otherwise the pod may stay for the least tolerationSeconds of the
/// tolerations it uses (counted from when the controller first saw it tainted), forever when none of them sets one.
/// </summary>
public static class NoExecuteTaints
{
    /// <summary>How long <paramref name="tolerations"/> let the pod stay on a node with <paramref name="taints"/>: null forever, zero not at all.</summary>
    public static TimeSpan? TimeAllowed(IReadOnlyList<Taint> taints, IReadOnlyList<Toleration>? tolerations)
    {
        var used = new List<Toleration>();
        foreach (var taint in taints.Where(t => t.Effect == "NoExecute"))
        {
            var matching = (tolerations ?? []).Where(t => Tolerations.Tolerates(t, taint)).ToList();
            if (matching.Count == 0) return TimeSpan.Zero;
            used.AddRange(matching);
        }
        var seconds = used.Where(t => t.TolerationSeconds is not null).Select(t => Math.Max(0, t.TolerationSeconds!.Value)).ToList();
        return seconds.Count == 0 ? null : TimeSpan.FromSeconds(seconds.Min());
    }
}

/// <summary>
/// Upstream's taint eviction controller: a pod bound to a node with a NoExecute taint it does not tolerate is
/// deleted at once, one that tolerates it for tolerationSeconds is deleted when they are up (a deletion put off is
/// cancelled if the taint goes first). Before deleting it records a Normal TaintManagerEviction event and the pod's
/// DisruptionTarget condition (reason DeletionByTaintManager). Checks every second; the pods' API server does the
/// graceful deletion as for any other delete (a pod on a node whose kubelet is gone stays Terminating, as upstream).
/// </summary>
public sealed class TaintEvictionController(KubeClient client, SharedInformerFactory informers, ILoggerFactory loggers, TimeProvider? time = null)
{
    private static readonly WriteOptions Write = new() { FieldManager = "taint-eviction-controller" };
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task RunAsync(CancellationToken ct)
    {
        var log = loggers.CreateLogger("taint-eviction");
        var nodes = informers.For<Node, NodeList>();
        var pods = informers.For<Pod, PodList>();
        await using var recorder = ControllerEvents.Start(client, "taint-eviction-controller", loggers);
        informers.Start(ct);
        await informers.WaitForCacheSyncAsync(ct);

        // Pod UID → when the controller first saw it on a node whose NoExecute taints it tolerates only for a while.
        var scheduled = new Dictionary<string, (DateTimeOffset Since, ObjectReference Pod)>(StringComparer.Ordinal);
        var evicted = new HashSet<string>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            do
            {
                var now = _time.GetUtcNow();
                var tainted = nodes.Store.List()
                    .Where(n => n.Metadata?.Name is not null && (n.Spec?.Taints ?? []).Any(t => t.Effect == "NoExecute"))
                    .ToDictionary(n => n.Metadata!.Name!, n => (IReadOnlyList<Taint>)n.Spec!.Taints!, StringComparer.Ordinal);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var pod in pods.Store.List())
                {
                    if (pod.Metadata?.Uid is not { } uid || pod.Metadata.DeletionTimestamp is not null) continue;
                    if (pod.Spec?.NodeName is not { } node || !tainted.TryGetValue(node, out var taints)) continue;
                    var allowed = NoExecuteTaints.TimeAllowed(taints, pod.Spec.Tolerations);
                    if (allowed is null) continue; // tolerated forever
                    seen.Add(uid);
                    var since = scheduled.TryGetValue(uid, out var s) ? s.Since : now;
                    if (now - since < allowed)
                    {
                        scheduled[uid] = (since, ControllerEvents.PodRef(pod));
                        continue;
                    }
                    scheduled.Remove(uid);
                    if (evicted.Add(uid) && !await EvictAsync(pod, recorder, log, ct))
                    {
                        evicted.Remove(uid); // still due: tried again next pass
                        scheduled[uid] = (since, ControllerEvents.PodRef(pod));
                    }
                }
                // A pod whose taint went before its time is no longer due (one that is gone or going needs no event).
                var live = pods.Store.List().Where(p => p.Metadata?.DeletionTimestamp is null).Select(p => p.Metadata?.Uid ?? "").ToHashSet(StringComparer.Ordinal);
                foreach (var (uid, entry) in scheduled.Where(kv => !seen.Contains(kv.Key)).ToList())
                {
                    scheduled.Remove(uid);
                    if (live.Contains(uid))
                        recorder.Record(entry.Pod, "Normal", "TaintManagerEviction", $"Cancelling deletion of Pod {entry.Pod.Namespace}/{entry.Pod.Name}");
                }
                evicted.IntersectWith(pods.Store.List().Select(p => p.Metadata?.Uid ?? ""));
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Marks and deletes the pod; false when the API server refused (not when the pod is gone already).</summary>
    private async Task<bool> EvictAsync(Pod pod, ControllerEvents recorder, ILogger log, CancellationToken ct)
    {
        var (ns, name) = (pod.Metadata!.Namespace, pod.Metadata.Name!);
        log.LogInformation("Deleting pod {Namespace}/{Pod}: its node {Node} has a NoExecute taint it does not tolerate (long enough)", ns, name, pod.Spec?.NodeName);
        recorder.Record(ControllerEvents.PodRef(pod), "Normal", "TaintManagerEviction", $"Marking for deletion Pod {ns}/{name}");
        var condition = PodStatusPatches.Condition("DisruptionTarget", "True", _time.GetUtcNow(), "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint");
        try
        {
            await client.Pods.PatchAsync(ns, name, PatchType.StrategicMerge, condition, Write, "status", ct);
            await client.Pods.DeleteAsync(ns, name, ct: ct);
            return true;
        }
        catch (ApiException e) when (e.IsNotFound) { return true; }
        catch (ApiException e)
        {
            log.LogWarning("Pod {Namespace}/{Pod}: the taint eviction failed: {Error}", ns, name, e.Message);
            return false;
        }
    }
}
