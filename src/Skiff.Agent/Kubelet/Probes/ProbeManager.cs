using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet.Probes;

/// <summary>
/// Runs every running container's liveness, readiness and startup probes (upstream's prober manager):
/// one worker per container and kind, on the probe's own timing (initialDelaySeconds from the
/// container's start, periodSeconds, timeoutSeconds, success/failureThreshold). Results start as
/// upstream's (readiness Failure, liveness Success, startup Unknown); liveness and readiness wait for a
/// startup probe to succeed. A result change calls <c>onChange(podUid)</c> so the pod is synced. Results
/// are read by container id, so a restarted container starts over. Every failed probe is a Warning event
/// on the container (Unhealthy, "Liveness probe failed: ..."), as upstream's prober records. Thread-safe.
/// </summary>
public sealed class ProbeManager(ProberSet probers, Action<string> onChange, ILogger<ProbeManager> log, IKubeletEvents? events = null) : IAsyncDisposable
{
    private readonly IKubeletEvents _events = events ?? KubeletEvents.None;
    private readonly ConcurrentDictionary<(string ContainerId, ProbeKind Kind), Worker> _workers = new();
    private readonly ConcurrentDictionary<(string ContainerId, ProbeKind Kind), ProbeResult> _results = new();
    private readonly CancellationTokenSource _stopping = new();

    public ProbeResult Get(string containerId, ProbeKind kind) =>
        _results.TryGetValue((containerId, kind), out var r) ? r : kind switch
        {
            ProbeKind.Liveness => ProbeResult.Success,
            ProbeKind.Readiness => ProbeResult.Failure,
            _ => ProbeResult.Unknown,
        };

    /// <summary>True once a container with a startup probe passed it (or it has none).</summary>
    public bool IsStarted(Container spec, string containerId) =>
        spec.StartupProbe is null || Get(containerId, ProbeKind.Startup) == ProbeResult.Success;

    public bool IsReady(Container spec, string containerId) =>
        IsStarted(spec, containerId) && (spec.ReadinessProbe is null || Get(containerId, ProbeKind.Readiness) == ProbeResult.Success);

    /// <summary>The container must be restarted: its liveness or startup probe failed.</summary>
    public string? FailedProbe(Container spec, string containerId) =>
        spec.LivenessProbe is not null && Get(containerId, ProbeKind.Liveness) == ProbeResult.Failure ? "liveness"
        : spec.StartupProbe is not null && Get(containerId, ProbeKind.Startup) == ProbeResult.Failure ? "startup"
        : null;

    /// <summary>Starts workers for the pod's running containers and stops those of containers no longer running.</summary>
    public void Update(Pod pod, RuntimePod runtime)
    {
        var uid = PodNaming.Uid(pod);
        var podIp = pod.Spec?.HostNetwork == true ? pod.Status?.HostIP : runtime.Current?.Ip;
        var wanted = new HashSet<(string, ProbeKind)>();
        var deleting = pod.Metadata?.DeletionTimestamp is not null;
        // Sidecars (init containers with restartPolicy Always) are probed as the containers are.
        foreach (var spec in (pod.Spec?.InitContainers ?? []).Where(PodStatusBuilder.IsSidecar).Concat(pod.Spec?.Containers ?? []))
        {
            if (deleting) break;
            var c = runtime.Latest(spec.Name ?? "");
            if (c is null || c.State != ContainerRunState.Running) continue;
            foreach (var (kind, probe) in new[] { (ProbeKind.Liveness, spec.LivenessProbe), (ProbeKind.Readiness, spec.ReadinessProbe), (ProbeKind.Startup, spec.StartupProbe) })
            {
                if (probe is null) continue;
                wanted.Add((c.Id, kind));
                _workers.GetOrAdd((c.Id, kind), key =>
                {
                    if (kind == ProbeKind.Readiness && WasReady(pod, c.ContainerId)) _results[key] = ProbeResult.Success;
                    var w = new Worker(uid, kind, probe, new ProbeTarget(spec, c.Id, podIp), c.StartedAt ?? DateTimeOffset.UtcNow, spec.StartupProbe is not null,
                        KubeletEvents.ContainerRef(pod, spec.Name ?? ""));
                    w.Run = Task.Run(() => RunAsync(w, w.Stop.Token), CancellationToken.None);
                    return w;
                });
            }
        }
        foreach (var key in _workers.Keys.Where(k => _workers[k].PodUid == uid && !wanted.Contains(k)).ToList())
            Remove(key);
    }

    /// <summary>Stops the pod's workers and forgets their results.</summary>
    public void RemovePod(string uid)
    {
        foreach (var key in _workers.Where(kv => kv.Value.PodUid == uid).Select(kv => kv.Key).ToList()) Remove(key);
    }

    private void Remove((string, ProbeKind) key)
    {
        if (_workers.TryRemove(key, out var w)) w.Stop.Cancel();
        _results.TryRemove(key, out _);
    }

    /// <summary>After an agent restart, a container the API already saw Ready stays Ready until a probe says otherwise.</summary>
    private static bool WasReady(Pod pod, string containerId) =>
        pod.Status?.ContainerStatuses?.Any(s => s.ContainerID == containerId && s.Ready == true) == true;

    private async Task RunAsync(Worker w, CancellationToken workerToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(workerToken, _stopping.Token);
        var ct = linked.Token;
        var key = (w.Target.ContainerId, w.Kind);
        var period = TimeSpan.FromSeconds(Math.Max(1, w.Probe.PeriodSeconds ?? 10));
        var successThreshold = Math.Max(1, w.Probe.SuccessThreshold ?? 1);
        var failureThreshold = Math.Max(1, w.Probe.FailureThreshold ?? 3);
        try
        {
            var firstAt = w.StartedAt + TimeSpan.FromSeconds(Math.Max(0, w.Probe.InitialDelaySeconds ?? 0));
            if (firstAt > DateTimeOffset.UtcNow) await Task.Delay(firstAt - DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
            ProbeResult last = ProbeResult.Unknown;
            var run = 0;
            while (!ct.IsCancellationRequested)
            {
                if (w.Kind != ProbeKind.Startup && w.HasStartupProbe && Get(w.Target.ContainerId, ProbeKind.Startup) != ProbeResult.Success)
                {
                    await Task.Delay(period, ct).ConfigureAwait(false);
                    continue;
                }
                var (ok, message, errored) = await probers.ProbeAsync(w.Probe, w.Target, ct).ConfigureAwait(false);
                var result = ok ? ProbeResult.Success : ProbeResult.Failure;
                run = result == last ? run + 1 : 1;
                last = result;
                if (!ok && !ct.IsCancellationRequested)
                {
                    log.LogDebug("{Kind} probe of {Container} failed: {Message}", w.Kind, w.Target.ContainerId, message);
                    _events.Record(w.Ref, EventTypes.Warning, EventReasons.Unhealthy, $"{w.Kind} probe {(errored ? "errored" : "failed")}: {message}");
                }
                var reached = result == ProbeResult.Success ? run >= successThreshold : run >= failureThreshold;
                if (reached && Get(w.Target.ContainerId, w.Kind) != result && !ct.IsCancellationRequested)
                {
                    _results[key] = result;
                    if (!ok) log.LogInformation("{Kind} probe of container {Name} in pod {Uid} failed: {Message}", w.Kind, w.Target.Container.Name, w.PodUid, message);
                    onChange(w.PodUid);
                }
                // A passed startup probe is done; a failed liveness or startup probe waits for the restart (a new container id).
                if (w.Kind == ProbeKind.Startup && _results.GetValueOrDefault(key) == ProbeResult.Success) return;
                if (w.Kind != ProbeKind.Readiness && _results.GetValueOrDefault(key) == ProbeResult.Failure) return;
                await Task.Delay(period, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { log.LogWarning(e, "{Kind} prober of {Container} stopped", w.Kind, w.Target.ContainerId); }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await Task.WhenAll(_workers.Values.Select(w => w.Run)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Worker(string podUid, ProbeKind kind, Probe probe, ProbeTarget target, DateTimeOffset startedAt, bool hasStartupProbe,
        ObjectReference reference)
    {
        /// <summary>The container, for its events.</summary>
        public ObjectReference Ref => reference;
        public string PodUid => podUid;
        public ProbeKind Kind => kind;
        public Probe Probe => probe;
        public ProbeTarget Target => target;
        public DateTimeOffset StartedAt => startedAt;
        public bool HasStartupProbe => hasStartupProbe;
        public CancellationTokenSource Stop { get; } = new();
        public Task Run { get; set; } = Task.CompletedTask;
    }
}
