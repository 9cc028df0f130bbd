using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Scheduler.Binding;
using Skiff.Scheduler.Cache;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Queue;

namespace Skiff.Scheduler;

/// <summary>
/// The scheduling loop (upstream's scheduleOne): pop the next pod, refresh the snapshot, run the pod's
/// profile (PreFilter, Filter over the nodes in parallel, PreScore, Score), pick the best node (ties broken
/// at random), assume the pod there in the cache and bind it in the background while the next pod is
/// scheduled. A pod that fits nowhere gets PostFilter (preemption), a FailedScheduling event and the
/// PodScheduled=False condition with upstream's "0/N nodes are available: ..." message, and goes back to
/// the queue. One loop per scheduler; the binding cycles run concurrently with it.
/// </summary>
public sealed class Scheduler
{
    private readonly SchedulerCache _cache;
    private readonly SchedulingQueue _queue;
    private readonly IReadOnlyDictionary<string, SchedulingFramework> _profiles;
    private readonly ISchedulerApi _api;
    private readonly IEventRecorder _events;
    private readonly Func<PodInfo, Pod?> _currentPod;
    private readonly SchedulerOptions _options;
    private readonly ILogger _log;
    private readonly Snapshot _snapshot = new();
    private readonly SemaphoreSlim _bindSlots;
    private readonly Lock _tasksLock = new();
    private readonly HashSet<Task> _background = [];
    private int _nextStartNodeIndex;
    private long _scheduled;
    private long _failed;

    /// <param name="currentPod">The informer's current version of a pod (null when it is gone).</param>
    public Scheduler(SchedulerCache cache, SchedulingQueue queue, IReadOnlyDictionary<string, SchedulingFramework> profiles,
        ISchedulerApi api, IEventRecorder events, Func<PodInfo, Pod?> currentPod, SchedulerOptions options, ILogger logger)
    {
        _cache = cache;
        _queue = queue;
        _profiles = profiles;
        _api = api;
        _events = events;
        _currentPod = currentPod;
        _options = options;
        _log = logger;
        _bindSlots = new SemaphoreSlim(options.MaxConcurrentBindings);
    }

    public long ScheduledCount => Interlocked.Read(ref _scheduled);
    public long FailedAttempts => Interlocked.Read(ref _failed);

    /// <summary>
    /// Raised after a pod was bound (pod, node, time from the start of its scheduling attempt to the end of its
    /// binding); for tests and benchmarks. Runs on a binding task.
    /// </summary>
    public event Action<PodInfo, string, TimeSpan>? Bound;

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var q = await _queue.PopAsync(ct).ConfigureAwait(false);
                if (q is null) break;
                try { await ScheduleOneAsync(q, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
                catch (Exception e)
                {
                    _log.LogError(e, "Scheduling {Pod} failed unexpectedly", q.PodInfo.Key);
                    _queue.AddUnschedulable(q, new HashSet<string>(), _queue.SchedulingCycle, error: true);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        Task[] pending;
        lock (_tasksLock) pending = [.. _background];
        try { await Task.WhenAll(pending).ConfigureAwait(false); } catch (OperationCanceledException) { }
    }

    /// <summary>One scheduling cycle for <paramref name="q"/>; returns once the pod is assumed (binding continues in the background) or requeued.</summary>
    public async Task ScheduleOneAsync(QueuedPodInfo q, CancellationToken ct)
    {
        var pod = q.PodInfo;
        var schedulerName = pod.Pod.Spec?.SchedulerName is { Length: > 0 } sn ? sn : SchedulerOptions.DefaultSchedulerName;
        if (!_profiles.TryGetValue(schedulerName, out var fw) || pod.IsTerminating || _cache.Contains(pod.Uid))
        {
            _queue.Done(q);
            return;
        }
        var cycle = _queue.SchedulingCycle;
        _cache.UpdateSnapshot(_snapshot);
        var state = new CycleState();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        var (host, fitError, error) = SchedulePod(fw, state, pod);
        if (host is null)
        {
            Interlocked.Increment(ref _failed);
            string? nominated = null;
            if (fitError is not null && fw.PostFilter.Count > 0)
            {
                var result = await fw.RunPostFilterAsync(state, pod, _snapshot, fitError.NodeStatuses, ct).ConfigureAwait(false);
                if (result?.Status is { Reasons.Count: > 0 } s) fitError.PostFilterMessage = s.Message;
                nominated = result?.NominatedNodeName;
            }
            HandleFailure(fw, q, cycle, fitError, error, nominated);
            return;
        }

        var assumed = pod.WithNodeName(host);
        _queue.DeleteNominatedPodIfExists(pod.Uid);
        _cache.AssumePod(assumed);
        if (fw.RunReserve(state, assumed, host) is { } reserveFailure)
        {
            _cache.ForgetPod(assumed);
            HandleFailure(fw, q, cycle, null, reserveFailure.Message, null);
            return;
        }
        _log.LogDebug("Assumed {Pod} on {Node} in {Elapsed} ms", pod.Key, host,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        await _bindSlots.WaitAsync(ct).ConfigureAwait(false);
        Track(Task.Run(async () =>
        {
            try { await BindingCycleAsync(fw, state, q, assumed, host, cycle, started, ct).ConfigureAwait(false); }
            finally { _bindSlots.Release(); }
        }, CancellationToken.None));
    }

    private async Task BindingCycleAsync(SchedulingFramework fw, CycleState state, QueuedPodInfo q, PodInfo assumed, string host, long cycle,
        long started, CancellationToken ct)
    {
        Status? failure;
        try
        {
            failure = await fw.RunPreBindAsync(state, assumed, host, ct).ConfigureAwait(false)
                ?? await fw.RunBindAsync(state, assumed, host, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
        catch (Exception e) { failure = Status.Error(e.Message); }

        if (failure is null)
        {
            _cache.FinishBinding(assumed);
            _queue.Done(q);
            Interlocked.Increment(ref _scheduled);
            _events.Record(assumed, "Normal", "Scheduled", $"Successfully assigned {assumed.Namespace}/{assumed.Name} to {host}");
            Bound?.Invoke(assumed, host, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return;
        }
        _log.LogInformation("Binding {Pod} to {Node} failed: {Reason}", assumed.Key, host, failure.Message);
        _cache.ForgetPod(assumed);
        fw.RunUnreserve(state, assumed, host);
        // What the pod held on the node is free again: others may fit now.
        _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
        HandleFailure(fw, q, cycle, null, failure.Message, null);
    }

    /// <summary>Finds the node for <paramref name="pod"/>: the host, or why there is none (a fit error, or an internal error message).</summary>
    internal (string? Host, FitError? FitError, string? Error) SchedulePod(SchedulingFramework fw, CycleState state, PodInfo pod)
    {
        var nodes = _snapshot.Nodes;
        if (nodes.Count == 0) return (null, null, FitError.NoNodesAvailable);

        if (fw.RunPreFilter(state, pod, _snapshot) is { } pre)
        {
            if (pre.Code == StatusCode.Error) return (null, null, pre.Message);
            var all = new Dictionary<string, Status>(nodes.Count, StringComparer.Ordinal);
            foreach (var n in nodes) all[n.Name] = pre;
            return (null, new FitError(nodes.Count, all, pre.Message), null);
        }

        List<NodeInfo>? feasible = null;
        Dictionary<string, Status>? statuses = null;
        // A pod that preemption nominated to a node tries that node first.
        if (pod.Pod.Status?.NominatedNodeName is { Length: > 0 } nominatedName && _snapshot.Get(nominatedName) is { } nominatedNode
            && fw.RunFilterWithNominatedPods(state, pod, nominatedNode, _queue) is null)
            feasible = [nominatedNode];
        if (feasible is null) (feasible, statuses) = FindFeasibleNodes(fw, state, pod, nodes);
        if (feasible.Count == 0)
        {
            if (statuses!.Values.FirstOrDefault(s => s.Code == StatusCode.Error) is { } err) return (null, null, err.Message);
            return (null, new FitError(nodes.Count, statuses), null);
        }
        if (feasible.Count == 1) return (feasible[0].Name, null, null);

        fw.RunPreScore(state, pod, feasible, _snapshot);
        var scores = fw.RunScore(state, pod, feasible, _options.Parallelism);
        return (SelectHost(feasible, scores), null, null);
    }

    private (List<NodeInfo> Feasible, Dictionary<string, Status> Statuses) FindFeasibleNodes(SchedulingFramework fw, CycleState state, PodInfo pod, List<NodeInfo> nodes)
    {
        var n = nodes.Count;
        var want = NumFeasibleNodesToFind(n, _options.PercentageOfNodesToScore);
        var start = _nextStartNodeIndex % n;
        var results = new Status?[n];
        var passed = new bool[n];
        var checkedFlags = new bool[n];
        var found = 0;
        void Check(int i)
        {
            var node = nodes[(start + i) % n];
            var s = fw.RunFilterWithNominatedPods(state, pod, node, _queue);
            checkedFlags[i] = true;
            if (s is null)
            {
                passed[i] = true;
                Interlocked.Increment(ref found);
            }
            else results[i] = s;
        }
        if (n < 32 || _options.Parallelism <= 1)
        {
            for (var i = 0; i < n && found < want; i++) Check(i);
        }
        else
        {
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism }, (i, loop) =>
            {
                if (Volatile.Read(ref found) >= want) { loop.Stop(); return; }
                Check(i);
            });
        }
        var feasible = new List<NodeInfo>(Math.Min(found, want));
        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        var processed = 0;
        for (var i = 0; i < n; i++)
        {
            if (!checkedFlags[i]) continue;
            if (passed[i])
            {
                if (feasible.Count >= want) continue;
                feasible.Add(nodes[(start + i) % n]);
            }
            else statuses[nodes[(start + i) % n].Name] = results[i]!;
            processed++;
        }
        _nextStartNodeIndex = (start + processed) % n;
        return (feasible, statuses);
    }

    /// <summary>Upstream's adaptive share of nodes to look at: all below 100 nodes, else 50% minus 1% per 125 nodes (at least 5%, at least 100 nodes).</summary>
    public static int NumFeasibleNodesToFind(int numAllNodes, int percentageOfNodesToScore)
    {
        const int minFeasible = 100;
        if (numAllNodes < minFeasible) return numAllNodes;
        var percentage = percentageOfNodesToScore;
        if (percentage <= 0) percentage = Math.Max(5, 50 - numAllNodes / 125);
        if (percentage >= 100) return numAllNodes;
        var num = numAllNodes * percentage / 100;
        return Math.Max(num, minFeasible);
    }

    private static string SelectHost(List<NodeInfo> nodes, long[] scores)
    {
        var best = 0;
        var ties = 1;
        for (var i = 1; i < nodes.Count; i++)
        {
            if (scores[i] > scores[best]) { best = i; ties = 1; }
            else if (scores[i] == scores[best] && Random.Shared.Next(++ties) == 0) best = i;
        }
        return nodes[best].Name;
    }

    private void HandleFailure(SchedulingFramework fw, QueuedPodInfo q, long cycle, FitError? fitError, string? error, string? nominatedNode)
    {
        var pod = q.PodInfo;
        var current = _currentPod(pod);
        if (current is null || current.Metadata?.Uid != pod.Uid || !string.IsNullOrEmpty(current.Spec?.NodeName))
        {
            // Deleted or bound by someone else meanwhile: nothing to retry.
            _queue.Done(q);
            return;
        }
        var plugins = fitError?.UnschedulablePlugins ?? new HashSet<string>();
        _queue.AddUnschedulable(q, plugins, cycle, error: fitError is null);
        if (!string.IsNullOrEmpty(nominatedNode)) _queue.AddNominatedPod(pod, nominatedNode);

        var message = fitError?.Message ?? error ?? "unknown error";
        var reason = fitError is not null || error == FitError.NoNodesAvailable ? "Unschedulable" : "SchedulerError";
        _log.LogInformation("Unable to schedule {Pod}: {Message}", pod.Key, message);
        _events.Record(pod, "Warning", "FailedScheduling", message);

        var existing = current.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        var nominatedChanged = nominatedNode is not null && nominatedNode != (current.Status?.NominatedNodeName ?? "");
        if (existing is { Status: "False" } && existing.Reason == reason && existing.Message == message && !nominatedChanged) return;
        var condition = new PodCondition
        {
            Type = "PodScheduled",
            Status = "False",
            Reason = reason,
            Message = message,
            LastTransitionTime = existing?.Status == "False" ? existing.LastTransitionTime : DateTimeOffset.UtcNow,
        };
        Track(UpdateStatusAsync(pod, condition, nominatedChanged ? nominatedNode : null));
    }

    private async Task UpdateStatusAsync(PodInfo pod, PodCondition condition, string? nominated)
    {
        try { await _api.UpdatePodStatusAsync(pod, condition, nominated, CancellationToken.None, onlyWhileUnassigned: true).ConfigureAwait(false); }
        catch (Exception e) { _log.LogInformation("Could not update the status of {Pod}: {Error}", pod.Key, e.Message); }
    }

    private void Track(Task t)
    {
        lock (_tasksLock) _background.Add(t);
        t.ContinueWith(done => { lock (_tasksLock) _background.Remove(done); }, TaskScheduler.Default);
    }
}
