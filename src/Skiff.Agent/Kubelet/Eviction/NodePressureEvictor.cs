using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Kubelet.Cgroups;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet.Eviction;

/// <summary>Why a pod may not start on this node, in upstream's words (reason Evicted).</summary>
public sealed record AdmissionRejection(string Reason, string Message);

/// <summary>
/// Upstream's node-pressure eviction manager. Every monitoring period it observes the signals
/// (<see cref="NodeSignals"/>) and:
/// <list type="bullet">
/// <item>reports a node condition (MemoryPressure, DiskPressure, PIDPressure) while a threshold of its signals is met,
/// and for the pressure transition period after (upstream's 5 minutes), so the condition does not flap;</item>
/// <item>rejects new pods while a condition holds (<see cref="Admit"/>): under memory pressure only BestEffort pods
/// that do not tolerate the memory-pressure taint, under any other pressure every pod; critical pods always start;</item>
/// <item>when a threshold is met, records a Warning <c>EvictionThresholdMet</c> on the node; for disk (nodefs, imagefs)
/// it first reclaims what the node itself holds (<see cref="INodeReclaimer"/>: dead containers, unused images) and
/// stops there if no threshold is met any more; otherwise it evicts one pod, the first
/// by upstream's ranking for the starved resource (pods using more than they request first, then lower priority,
/// then the most over their request), with upstream's message; the pod's worker stops it and fails it (reason
/// Evicted). It then waits until that pod is stopped before it evicts another.</item>
/// </list>
/// Critical pods (priority ≥ system-cluster-critical's 2000000000, or static/mirror pods) are never evicted.
/// A soft threshold (one with a grace period) sets its condition at once and evicts once it has been met for its
/// whole grace period, stopping the pod with the max pod grace period instead of at once. A threshold with a minimum
/// reclaim (--eviction-minimum-reclaim), once met, stays met until the threshold plus that amount is available
/// again, and so does its condition; the node-level reclaim is enough only when it frees that much. One loop calls
/// <see cref="SynchronizeAsync"/>; <see cref="Conditions"/> and <see cref="Admit"/> are safe from any thread.
/// </summary>
public sealed class NodePressureEvictor(
    IReadOnlyList<EvictionThreshold> thresholds,
    TimeSpan pressureTransitionPeriod,
    Evictions evictions,
    Action<string> signal,
    string nodeName,
    ILogger<NodePressureEvictor> log,
    IKubeletEvents? events = null,
    INodeReclaimer? reclaimer = null,
    long maxPodGraceSeconds = 0)
{
    public const int SystemCriticalPriority = 2_000_000_000;
    private const string MemoryPressureTaint = "node.kubernetes.io/memory-pressure";
    private static readonly string[] ConditionOrder = ["MemoryPressure", "DiskPressure", "PIDPressure"];
    private readonly Dictionary<string, DateTimeOffset> _conditionLastObserved = new(StringComparer.Ordinal);
    private readonly Dictionary<EvictionThreshold, DateTimeOffset> _firstObserved = [];
    private volatile FrozenSet<string> _conditions = FrozenSet<string>.Empty;
    private string? _evicting;
    private List<EvictionThreshold> _thresholdsMet = [];

    public IReadOnlyList<EvictionThreshold> Thresholds => thresholds;

    /// <summary>
    /// Observes and synchronizes at once, then every <paramref name="period"/> (upstream's 10 s monitoring interval),
    /// until <paramref name="ct"/> is cancelled. A pass that fails is logged and the next one runs.
    /// </summary>
    public async Task RunAsync(NodeSignals node, Func<IReadOnlyList<Pod>> pods, PodUsageReader usage, TimeSpan period, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            do
            {
                try
                {
                    var observations = await node.ObserveAsync(ct).ConfigureAwait(false);
                    await SynchronizeAsync(observations, pods(), p => usage.ReadAsync(p, ct), DateTimeOffset.UtcNow,
                        () => node.ObserveAsync(ct), ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning("Node {Node}: the eviction pass failed: {Error}", nodeName, e.Message); }
            } while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>What the hard threshold of <paramref name="signal"/> keeps back of <paramref name="capacity"/> (upstream subtracts it from allocatable); 0 without one.</summary>
    public static long Reserved(IReadOnlyList<EvictionThreshold> thresholds, string signal, long capacity) =>
        thresholds.FirstOrDefault(t => t.Signal == signal)?.ValueFor(capacity) ?? 0;

    /// <summary>The pressure conditions that hold now.</summary>
    public IReadOnlySet<string> Conditions => _conditions;

    /// <summary>Null when <paramref name="pod"/> may start; else upstream's reason and message ("The node had condition: [DiskPressure]. ").</summary>
    public AdmissionRejection? Admit(Pod pod)
    {
        var conditions = _conditions;
        if (conditions.Count == 0 || IsCritical(pod)) return null;
        if (conditions.Contains("MemoryPressure") && conditions.Count == 1)
        {
            if (RuntimeConfigBuilder.QosClass(pod.Spec ?? new PodSpec()) != "BestEffort") return null;
            if ((pod.Spec?.Tolerations ?? []).Any(TolerateMemoryPressure)) return null;
        }
        var list = string.Join(" ", ConditionOrder.Where(conditions.Contains));
        return new AdmissionRejection(EventReasons.Evicted, $"The node had condition: [{list}]. ");
    }

    /// <summary>
    /// One pass: updates the conditions from <paramref name="observations"/> at <paramref name="now"/> and, if a threshold
    /// is met, evicts at most one of <paramref name="pods"/> (asking <paramref name="usage"/> for their use). Under disk
    /// pressure the node's own reclaim runs first, then <paramref name="observeAgain"/> says whether that was enough.
    /// Returns the UID it marked, or null.
    /// </summary>
    public async Task<string?> SynchronizeAsync(IReadOnlyDictionary<string, SignalObservation> observations, IReadOnlyList<Pod> pods,
        Func<IReadOnlyList<Pod>, Task<IReadOnlyDictionary<string, PodUsage>>> usage, DateTimeOffset now,
        Func<Task<IReadOnlyDictionary<string, SignalObservation>>>? observeAgain = null, CancellationToken ct = default)
    {
        var met = Met(observations);
        // A threshold met before stays met until its minimum reclaim is freed too (upstream's thresholdsNotYetResolved).
        met = [.. met.Union(Met(observations, enforceMinReclaim: true).Intersect(_thresholdsMet))];
        _thresholdsMet = met;
        foreach (var t in met) _conditionLastObserved[EvictionSignals.Condition(t.Signal)] = now;
        foreach (var t in _firstObserved.Keys.Except(met).ToList()) _firstObserved.Remove(t);
        foreach (var t in met) _firstObserved.TryAdd(t, now);
        var conditions = _conditionLastObserved.Where(kv => now - kv.Value < pressureTransitionPeriod).Select(kv => kv.Key).ToFrozenSet(StringComparer.Ordinal);
        if (!conditions.SetEquals(_conditions))
            log.LogInformation("Node {Node}: pressure conditions now [{Conditions}]", nodeName, string.Join(" ", ConditionOrder.Where(conditions.Contains)));
        _conditions = conditions;
        // A soft threshold sets its condition at once but evicts only once it has been met for its grace period.
        var due = met.Where(t => now - _firstObserved[t] >= t.GracePeriod).ToList();
        if (due.Count == 0) return null;

        var active = pods.Where(IsActive).ToList();
        if (_evicting is { } previous && evictions.MessageFor(previous) is not null && active.Any(p => PodNaming.Uid(p) == previous))
            return null; // upstream waits for the last evicted pod to be cleaned up before it evicts another
        _evicting = null;

        var threshold = due.OrderBy(t => EvictionSignals.Priority(t.Signal)).ThenBy(t => t.GracePeriod).First();
        var resource = EvictionSignals.Resource(threshold.Signal);
        var observed = observations[threshold.Signal];
        log.LogWarning("Node {Node}: {Signal} is {Available}, under its threshold {Threshold}: attempting to reclaim {Resource}",
            nodeName, threshold.Signal, observed.Available, threshold.Text, resource);
        events?.Record(KubeletEvents.NodeRef(nodeName), EventTypes.Warning, "EvictionThresholdMet", $"Attempting to reclaim {resource}");

        if (reclaimer is not null && observeAgain is not null && resource is "ephemeral-storage" or "inodes")
        {
            var freed = await reclaimer.ReclaimAsync(ct).ConfigureAwait(false);
            observations = await observeAgain().ConfigureAwait(false);
            var stillMet = Met(observations, enforceMinReclaim: true);
            log.LogInformation("Node {Node}: reclaimed {Containers} dead container(s) and {Images} unused image(s) ({Bytes} bytes)",
                nodeName, freed.Containers, freed.Images, freed.ImageBytes);
            if (stillMet.Count == 0)
            {
                log.LogInformation("Node {Node}: able to reduce {Resource} pressure without evicting pods", nodeName, resource);
                return null;
            }
            if (stillMet.Intersect(due).OrderBy(t => EvictionSignals.Priority(t.Signal)).ThenBy(t => t.GracePeriod).FirstOrDefault() is not { } next)
                return null; // what is still met has not been met for its grace period yet
            threshold = next;
            resource = EvictionSignals.Resource(threshold.Signal);
            observed = observations[threshold.Signal];
        }

        var candidates = active.Where(p => !IsCritical(p) && evictions.MessageFor(PodNaming.Uid(p)) is null).ToList();
        if (candidates.Count == 0)
        {
            log.LogWarning("Node {Node}: eviction thresholds have been met, but no pods are active to evict", nodeName);
            return null;
        }
        var used = await usage(candidates).ConfigureAwait(false);
        var ranked = Rank(threshold.Signal, candidates, uid => used.GetValueOrDefault(uid) ?? PodUsage.None);
        var victim = ranked[0];
        var uid = PodNaming.Uid(victim);
        var message = Message(threshold, observed, victim, used.GetValueOrDefault(uid) ?? PodUsage.None);
        if (!evictions.Add(uid, message, threshold.IsHard ? null : maxPodGraceSeconds)) return null;
        log.LogInformation("Node {Node}: evicting pod {Pod} to reclaim {Resource}", nodeName, PodNaming.FullName(victim), resource);
        _evicting = uid;
        signal(uid);
        return uid;
    }

    private List<EvictionThreshold> Met(IReadOnlyDictionary<string, SignalObservation> observations, bool enforceMinReclaim = false) =>
        thresholds.Where(t => observations.TryGetValue(t.Signal, out var o) && t.IsMet(o.Available, o.Capacity, enforceMinReclaim)).ToList();

    /// <summary>Upstream's ranking for the signal's resource; the first pod is evicted first.</summary>
    public static List<Pod> Rank(string signal, IReadOnlyList<Pod> pods, Func<string, PodUsage> usage)
    {
        long Priority(Pod p) => p.Spec?.Priority ?? 0;
        switch (EvictionSignals.Resource(signal))
        {
            case "memory":
            {
                long Over(Pod p) => usage(PodNaming.Uid(p)).Memory - (long)PodResourceConfig.Requests(p.Spec ?? new PodSpec(), "memory");
                return [.. pods.OrderByDescending(p => Over(p) > 0).ThenBy(Priority).ThenByDescending(Over)];
            }
            case "pids":
                return [.. pods.OrderBy(Priority).ThenByDescending(p => usage(PodNaming.Uid(p)).Processes ?? 0)];
            case "inodes":
            {
                // No request can be made for inodes, so every pod holding any is over it (upstream's exceedDiskRequests).
                long Inodes(Pod p) => usage(PodNaming.Uid(p)).Inodes;
                return [.. pods.OrderByDescending(p => Inodes(p) > 0).ThenBy(Priority).ThenByDescending(Inodes)];
            }
            default: // ephemeral-storage
            {
                long Over(Pod p) => usage(PodNaming.Uid(p)).Disk - (long)PodResourceConfig.Requests(p.Spec ?? new PodSpec(), "ephemeral-storage");
                return [.. pods.OrderByDescending(p => Over(p) > 0).ThenBy(Priority).ThenByDescending(Over)];
            }
        }
    }

    /// <summary>
    /// Upstream's evictionMessage: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. "
    /// then, for each container using more than it requests, "Container app was using 200Mi, request is 0, has larger
    /// consumption of memory. " (memory and ephemeral-storage only).
    /// </summary>
    public static string Message(EvictionThreshold threshold, SignalObservation observed, Pod pod, PodUsage usage)
    {
        var resource = EvictionSignals.Resource(threshold.Signal);
        var counts = resource is "inodes" or "pids";
        var message = $"The node was low on resource: {resource}. Threshold quantity: {threshold.Describe(observed.Capacity)}, available: " +
                      $"{EvictionThreshold.FormatQuantity(observed.Available, binary: !counts)}. ";
        if (resource is not ("memory" or "ephemeral-storage")) return message;
        var perContainer = resource == "memory" ? usage.ContainerMemory : usage.ContainerDisk;
        foreach (var c in pod.Spec?.Containers ?? [])
        {
            if (c.Name is null || !perContainer.TryGetValue(c.Name, out var used)) continue;
            var request = (long)(Quantities.Get(c.Resources?.Requests, resource) ?? 0);
            if (used <= request) continue;
            var requestText = c.Resources?.Requests?.TryGetValue(resource, out var q) == true && q.Value is { Length: > 0 } text ? text : "0";
            message += $"Container {c.Name} was using {EvictionThreshold.FormatQuantity(used, binary: true)}, request is {requestText}, has larger consumption of {resource}. ";
        }
        return message;
    }

    /// <summary>Upstream's IsCriticalPod: a static or mirror pod, or priority at least system-cluster-critical's.</summary>
    public static bool IsCritical(Pod pod)
    {
        var annotations = pod.Metadata?.Annotations;
        if (annotations?.ContainsKey("kubernetes.io/config.mirror") == true) return true;
        if (annotations?.TryGetValue("kubernetes.io/config.source", out var source) == true && source != "api") return true;
        return pod.Spec?.Priority >= SystemCriticalPriority;
    }

    private static bool IsActive(Pod p) =>
        p.Metadata?.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed") && PodNaming.Uid(p).Length > 0;

    private static bool TolerateMemoryPressure(Toleration t) =>
        (t.Effect is null or "" or "NoSchedule") &&
        (t.Operator == "Exists" ? t.Key is null or "" or MemoryPressureTaint : t.Key == MemoryPressureTaint && (t.Value ?? "") == "");
}
