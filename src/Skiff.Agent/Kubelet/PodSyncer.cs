using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Kubelet.Cgroups;
using Skiff.Agent.Kubelet.Eviction;
using Skiff.Agent.Kubelet.Probes;
using Skiff.Agent.Volumes;
using Skiff.Api.Models.Core.V1;
using VolumeMount = Skiff.Agent.Volumes.VolumeMount;

using Container = Skiff.Api.Models.Core.V1.Container;

namespace Skiff.Agent.Kubelet;

/// <summary>Removes a pod object once the kubelet has stopped it (grace period 0, UID precondition).</summary>
public interface IPodDeleter
{
    Task DeleteAsync(Pod pod, CancellationToken ct);
}

/// <summary>What a pod worker keeps between syncs of one pod. Used by that worker only.</summary>
public sealed class PodWorkerState
{
    public IReadOnlyList<VolumeMount>? Mounts { get; set; }
    /// <summary>The last pod object seen, for killing it after it vanished from the API.</summary>
    public Pod? LastKnown { get; set; }
}

/// <summary>What a sync asks of its worker: stop (the pod is gone) or sync again after a delay.</summary>
public readonly record struct SyncOutcome(bool Finished, TimeSpan? RequeueAfter)
{
    public static SyncOutcome Done => new(true, null);
}

/// <summary>The node facts pods see: its address and size (for the downward API).</summary>
public sealed record NodeFacts(string? HostIp, decimal CpuCores, decimal MemoryBytes);

/// <summary>
/// Brings one pod's runtime state to its spec, as upstream's SyncPod/computePodActions: a ready sandbox
/// (volumes first), init containers one at a time in order, then the containers; restarts by restart
/// policy with crash-loop backoff; liveness or startup probe failures restart the container; a pod being
/// deleted is stopped gracefully (preStop, SIGTERM, grace period, SIGKILL), its status written, its
/// runtime objects and volumes removed, and the object deleted. A pod that never started is first admitted
/// (<c>admit</c>: the eviction manager refuses pods while the node is under pressure) or failed as rejected.
/// Every sync ends by writing the status.
/// What it does and what fails is reported as events with upstream's reasons and messages (SandboxChanged,
/// FailedCreatePodSandBox, FailedMount, Created, Started, Failed, Killing, BackOff, FailedPostStartHook,
/// FailedPreStopHook); recording them never delays the sync.
/// Called only from the pod's worker, so one pod's syncs never overlap; thread-safe across pods.
/// </summary>
public sealed class PodSyncer(
    ContainerRuntimeManager runtime,
    ImageManager images,
    EnvBuilder env,
    IVolumeManager volumes,
    ProbeManager probes,
    LifecycleHookRunner hooks,
    StatusManager statuses,
    IPodDeleter deleter,
    Backoff crashBackoff,
    AgentPaths paths,
    Func<NodeFacts> node,
    ILogger<PodSyncer> log,
    IKubeletEvents? events = null,
    IPodCgroups? cgroups = null,
    Evictions? evictions = null,
    Func<Pod, AdmissionRejection?>? admit = null)
{
    private const int MinimumGraceSeconds = 2;
    private readonly IKubeletEvents _events = events ?? KubeletEvents.None;
    private readonly IPodCgroups _cgroups = cgroups ?? NoPodCgroups.Instance;

    public async Task<SyncOutcome> SyncAsync(string uid, Pod? pod, PodWorkerState state, CancellationToken ct)
    {
        if (pod is not null) state.LastKnown = pod;
        var rt = await runtime.GetPodAsync(uid, ct).ConfigureAwait(false);
        if (pod is null) return await RemoveOrphanAsync(uid, state.LastKnown, rt, ct).ConfigureAwait(false);
        if (pod.Metadata?.DeletionTimestamp is not null) return await TerminateAsync(pod, rt, ct).ConfigureAwait(false);

        var waiting = new Dictionary<string, (string Reason, string Message)>();
        var requeue = new Requeue();
        var phaseNow = pod.Status?.Phase;
        if (phaseNow is "Succeeded" or "Failed")
        {
            await StopFinishedPodAsync(pod, rt, pod.Status!, ct).ConfigureAwait(false);
            return new SyncOutcome(false, null);
        }

        if (evictions?.MessageFor(uid) is { } evictedBecause) return await EvictAsync(pod, rt, evictedBecause, ct).ConfigureAwait(false);
        if (rt.IsEmpty && pod.Status?.StartTime is null && admit?.Invoke(pod) is { } rejection)
            return await RejectAsync(pod, rejection, ct).ConfigureAwait(false);

        if (pod.Spec?.ActiveDeadlineSeconds is { } deadline)
        {
            var end = (pod.Status?.StartTime ?? crashBackoff.Now) + TimeSpan.FromSeconds(deadline);
            if (crashBackoff.Now >= end) return await FailForDeadlineAsync(pod, rt, ct).ConfigureAwait(false);
            requeue.At(end, crashBackoff.Now);
        }

        EnsurePodCgroup(pod);
        var acted = await EnsureSandboxAsync(pod, rt, state, ct).ConfigureAwait(false);
        if (acted) rt = await runtime.GetPodAsync(uid, ct).ConfigureAwait(false);
        if (rt.Current is { Ready: true } sandbox)
        {
            var sandboxConfig = RuntimeConfigBuilder.Sandbox(pod, sandbox.Attempt, PodNaming.LogDirectory(paths, pod), _cgroups.ParentFor(pod));
            state.Mounts ??= await SetUpVolumesAsync(pod, ct).ConfigureAwait(false);
            var changed = await SyncContainersAsync(pod, rt, sandbox, sandboxConfig, state.Mounts, waiting, requeue, ct).ConfigureAwait(false);
            if (changed) rt = await runtime.GetPodAsync(uid, ct).ConfigureAwait(false);
        }

        probes.Update(pod, rt);
        var status = PodStatusBuilder.Build(new PodStatusInput
        {
            Pod = pod,
            Runtime = rt,
            Waiting = waiting,
            IsReady = probes.IsReady,
            IsStarted = probes.IsStarted,
            HostIp = node().HostIp,
        });
        await statuses.SetAsync(pod, status, ct).ConfigureAwait(false);
        if (status.Phase is "Succeeded" or "Failed")
        {
            log.LogInformation("Pod {Pod} finished: {Phase}", PodNaming.FullName(pod), status.Phase);
            await StopFinishedPodAsync(pod, rt, status, ct).ConfigureAwait(false);
            return new SyncOutcome(false, null);
        }
        await RemoveOldContainersAsync(rt, ct).ConfigureAwait(false);
        return new SyncOutcome(false, requeue.After);
    }

    /// <summary>Creates a sandbox when there is no ready one (the first, or after the old one died). True when it acted.</summary>
    private async Task<bool> EnsureSandboxAsync(Pod pod, RuntimePod rt, PodWorkerState state, CancellationToken ct)
    {
        var current = rt.Current;
        if (current is { Ready: true }) return false;
        var policy = pod.Spec?.RestartPolicy ?? "Always";
        if (current is not null && policy == "Never" && rt.Containers.Any(c => !c.IsInit))
            return false; // its containers ran once; with Never they are not run again, so the pod is finished
        if (rt.Sandboxes.Count > 0)
            _events.Pod(pod, EventTypes.Normal, EventReasons.SandboxChanged, "Pod sandbox changed, it will be killed and re-created.");
        foreach (var c in rt.Containers.Where(c => c.State is ContainerRunState.Running or ContainerRunState.Created))
        {
            if (KubeletEvents.SpecFieldPath(pod.Spec, c.Name) is not null)
                _events.Container(pod, c.Name, EventTypes.Normal, EventReasons.Killing, $"Stopping container {c.Name}");
            await runtime.StopContainerAsync(c.Id, 0, ct).ConfigureAwait(false);
        }
        foreach (var s in rt.Sandboxes) await runtime.StopSandboxAsync(s.Id, ct).ConfigureAwait(false);

        state.Mounts = await SetUpVolumesAsync(pod, ct).ConfigureAwait(false);
        var logDir = PodNaming.LogDirectory(paths, pod);
        Directory.CreateDirectory(logDir);
        var attempt = rt.Sandboxes.Count == 0 ? 0u : rt.Sandboxes.Max(s => s.Attempt) + 1;
        var clock = Stopwatch.StartNew();
        string id;
        try { id = await runtime.RunSandboxAsync(RuntimeConfigBuilder.Sandbox(pod, attempt, logDir, _cgroups.ParentFor(pod)), ct).ConfigureAwait(false); }
        catch (RpcException e)
        {
            _events.Pod(pod, EventTypes.Warning, EventReasons.FailedCreatePodSandBox, $"Failed to create pod sandbox: {KubeletEvents.GoError(e)}");
            throw;
        }
        log.LogInformation("Pod {Pod}: started sandbox {Sandbox} (attempt {Attempt}) in {Ms} ms", PodNaming.FullName(pod), Short(id), attempt, clock.ElapsedMilliseconds);
        // The newest old sandbox stays (stopped) so its containers still give restart counts and lastState;
        // older ones go, with their containers.
        foreach (var s in rt.Sandboxes.Skip(1)) await runtime.RemoveSandboxAsync(s.Id, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The pod's own cgroup, before its sandbox: a failure is an event, as upstream's, and fails the sync (which retries).</summary>
    private void EnsurePodCgroup(Pod pod)
    {
        try { _cgroups.Ensure(pod); }
        catch (IOException e)
        {
            _events.Pod(pod, EventTypes.Warning, EventReasons.FailedCreatePodContainer, $"unable to ensure pod container exists: {e.Message}");
            throw;
        }
    }

    /// <summary>Sets up the pod's volumes; a failure is a FailedMount event on the pod, and fails the sync (which retries).</summary>
    private async Task<IReadOnlyList<VolumeMount>> SetUpVolumesAsync(Pod pod, CancellationToken ct)
    {
        try { return await volumes.SetUpAsync(pod, ct).ConfigureAwait(false); }
        catch (VolumeSetupException e)
        {
            _events.Pod(pod, EventTypes.Warning, EventReasons.FailedMount, e.Message);
            throw;
        }
    }

    /// <summary>Init containers in order, then the containers. True when anything was started, stopped or removed.</summary>
    private async Task<bool> SyncContainersAsync(Pod pod, RuntimePod rt, SandboxView sandbox, PodSandboxConfig sandboxConfig,
        IReadOnlyList<VolumeMount> mounts, Dictionary<string, (string Reason, string Message)> waiting, Requeue requeue, CancellationToken ct)
    {
        var policy = pod.Spec?.RestartPolicy ?? "Always";
        var changed = false;
        // Once a container of the pod's own ran in this sandbox, the pod was initialized: a sidecar that exits since
        // is restarted without holding the others back.
        var initialized = (pod.Spec?.Containers ?? []).Any(s => rt.Containers.Any(x => x.Name == s.Name && x.SandboxId == sandbox.Id));
        foreach (var init in pod.Spec?.InitContainers ?? [])
        {
            if (PodStatusBuilder.IsSidecar(init))
            {
                var (proceed, acted) = await SyncSidecarAsync(pod, init, rt, sandbox, sandboxConfig, mounts, waiting, requeue, initialized, ct).ConfigureAwait(false);
                changed |= acted;
                if (!proceed) return changed;
                continue;
            }
            // Init containers run again in a new sandbox; numbering continues from the old one's.
            var c = rt.Containers.FirstOrDefault(x => x.Name == init.Name && x.SandboxId == sandbox.Id);
            if (c is null && rt.Latest(init.Name ?? "") is { } earlier)
            {
                changed |= await StartContainerAsync(pod, init, true, earlier.Attempt + 1, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false);
                return changed;
            }
            if (c is { State: ContainerRunState.Exited, ExitCode: 0 }) continue;
            if (c is { State: ContainerRunState.Running }) return changed;
            if (c is { State: ContainerRunState.Exited })
            {
                if (policy == "Never") return changed;
                return await RestartWithBackoffAsync(pod, init, true, c, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false) || changed;
            }
            if (c is not null) { await runtime.RemoveContainerAsync(c.Id, ct).ConfigureAwait(false); changed = true; }
            return await StartContainerAsync(pod, init, true, c is null ? 0 : c.Attempt + 1, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false) || changed;
        }

        foreach (var spec in pod.Spec?.Containers ?? [])
        {
            var c = rt.Latest(spec.Name ?? "");
            switch (c?.State)
            {
                case null:
                    changed |= await StartContainerAsync(pod, spec, false, 0, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false);
                    break;
                case ContainerRunState.Running:
                    if (probes.FailedProbe(spec, c.Id) is { } failed)
                    {
                        log.LogInformation("Pod {Pod}: container {Container} failed its {Probe} probe and will be restarted", PodNaming.FullName(pod), spec.Name, failed);
                        var probe = failed == "liveness" ? spec.LivenessProbe : spec.StartupProbe;
                        var grace = probe?.TerminationGracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? 30;
                        var message = $"Container {spec.Name} failed {failed} probe" + (policy == "Never" ? "" : ", will be restarted");
                        await KillContainerAsync(pod, spec, c, grace, rt.Current?.Ip, ct, message).ConfigureAwait(false);
                        probes.Update(pod, RuntimePod.Empty(PodNaming.Uid(pod)));
                        requeue.In(TimeSpan.Zero);
                        changed = true;
                    }
                    break;
                case ContainerRunState.Exited:
                    var restart = policy == "Always" || (policy == "OnFailure" && c.ExitCode != 0);
                    if (restart)
                        changed |= await RestartWithBackoffAsync(pod, spec, false, c, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false);
                    break;
                default:
                    // Created but never started (a start that failed), or unknown: replace it.
                    await runtime.RemoveContainerAsync(c.Id, ct).ConfigureAwait(false);
                    changed = true;
                    changed |= await StartContainerAsync(pod, spec, false, c.Attempt + 1, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false);
                    break;
            }
        }
        return changed;
    }

    /// <summary>
    /// A sidecar (an init container with restartPolicy Always, upstream's restartable init container): started in its
    /// turn among the init containers, the next one goes once it runs and its startup probe (if any) passed; it keeps
    /// running beside the containers and is restarted, with the crash-loop backoff, whenever it exits or fails its
    /// liveness probe, whatever the pod's restartPolicy. Proceed is false while the init sequence must wait for it.
    /// </summary>
    private async Task<(bool Proceed, bool Changed)> SyncSidecarAsync(Pod pod, Container spec, RuntimePod rt, SandboxView sandbox,
        PodSandboxConfig sandboxConfig, IReadOnlyList<VolumeMount> mounts, Dictionary<string, (string Reason, string Message)> waiting,
        Requeue requeue, bool initialized, CancellationToken ct)
    {
        var c = rt.Containers.FirstOrDefault(x => x.Name == spec.Name && x.SandboxId == sandbox.Id);
        switch (c?.State)
        {
            case null:
            {
                var attempt = rt.Latest(spec.Name ?? "") is { } earlier ? earlier.Attempt + 1 : 0;
                var started = await StartContainerAsync(pod, spec, true, attempt, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false);
                if (started && spec.StartupProbe is null) requeue.In(TimeSpan.Zero); // the next init container goes at once
                return (initialized, started);
            }
            case ContainerRunState.Running:
                if (probes.FailedProbe(spec, c.Id) is { } failed)
                {
                    log.LogInformation("Pod {Pod}: sidecar {Container} failed its {Probe} probe and will be restarted", PodNaming.FullName(pod), spec.Name, failed);
                    var probe = failed == "liveness" ? spec.LivenessProbe : spec.StartupProbe;
                    var grace = probe?.TerminationGracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? 30;
                    await KillContainerAsync(pod, spec, c, grace, rt.Current?.Ip, ct, $"Container {spec.Name} failed {failed} probe, will be restarted").ConfigureAwait(false);
                    requeue.In(TimeSpan.Zero);
                    return (initialized, true);
                }
                return (initialized || probes.IsStarted(spec, c.Id), false);
            case ContainerRunState.Exited:
                return (initialized, await RestartWithBackoffAsync(pod, spec, true, c, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false));
            default:
                await runtime.RemoveContainerAsync(c.Id, ct).ConfigureAwait(false);
                await StartContainerAsync(pod, spec, true, c.Attempt + 1, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false);
                return (initialized, true);
        }
    }

    private async Task<bool> RestartWithBackoffAsync(Pod pod, Container spec, bool isInit, ContainerView last, SandboxView sandbox,
        PodSandboxConfig sandboxConfig, IReadOnlyList<VolumeMount> mounts, Dictionary<string, (string Reason, string Message)> waiting,
        Requeue requeue, CancellationToken ct)
    {
        var key = BackoffKey(pod, spec);
        var finished = last.FinishedAt ?? crashBackoff.Now;
        if (crashBackoff.IsInBackoffSince(key, finished))
        {
            var delay = crashBackoff.Get(key);
            _events.Container(pod, spec.Name!, EventTypes.Warning, EventReasons.BackOff,
                $"Back-off restarting failed container {spec.Name} in pod {KubeletEvents.PodDescription(pod)}");
            waiting[spec.Name!] = ("CrashLoopBackOff",
                $"back-off {FormatDelay(delay)} restarting failed container={spec.Name} pod={pod.Metadata?.Name}_{pod.Metadata?.Namespace}({PodNaming.Uid(pod)})");
            requeue.At(crashBackoff.RetryAt(key, finished), crashBackoff.Now);
            return false;
        }
        crashBackoff.Next(key, finished);
        return await StartContainerAsync(pod, spec, isInit, last.Attempt + 1, sandbox, sandboxConfig, mounts, waiting, requeue, ct).ConfigureAwait(false);
    }

    /// <summary>Image, config, create, start, postStart. False (with a waiting reason) when it could not start.</summary>
    private async Task<bool> StartContainerAsync(Pod pod, Container spec, bool isInit, int attempt, SandboxView sandbox,
        PodSandboxConfig sandboxConfig, IReadOnlyList<VolumeMount> mounts, Dictionary<string, (string Reason, string Message)> waiting,
        Requeue requeue, CancellationToken ct)
    {
        var name = spec.Name!;
        string imageRef;
        try { imageRef = await images.EnsureImageAsync(pod, spec, sandboxConfig, ct).ConfigureAwait(false); }
        catch (ImagePullException e)
        {
            _events.Container(pod, name, EventTypes.Warning, EventReasons.Failed, $"Error: {e.Reason}");
            waiting[name] = (e.Reason, e.Message);
            log.LogInformation("Pod {Pod}: container {Container}: {Reason}: {Message}", PodNaming.FullName(pod), name, e.Reason, e.Message);
            requeue.In(e.Reason == "ErrImageNeverPull" ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(2));
            return false;
        }
        List<KeyValuePair<string, string>> envs;
        try
        {
            var facts = node();
            var podIps = pod.Spec?.HostNetwork == true ? [facts.HostIp ?? ""] : sandbox.Ip is { } ip ? new List<string> { ip } : [];
            envs = await env.BuildAsync(pod, spec, new PodRuntimeFacts(facts.HostIp, podIps, facts.CpuCores, facts.MemoryBytes), ct).ConfigureAwait(false);
        }
        catch (ContainerConfigException e)
        {
            _events.Container(pod, name, EventTypes.Warning, EventReasons.Failed, $"Error: {e.Message}");
            waiting[name] = ("CreateContainerConfigError", e.Message);
            requeue.In(TimeSpan.FromSeconds(5));
            return false;
        }
        var terminationLog = TerminationLogFile(pod, name, attempt);
        var config = RuntimeConfigBuilder.Container(pod, spec, isInit, attempt, imageRef, envs, mounts, terminationLog);
        string id;
        try
        {
            id = await runtime.CreateContainerAsync(sandbox.Id, config, sandboxConfig, ct).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            _events.Container(pod, name, EventTypes.Warning, EventReasons.Failed, $"Error: {e.Detail}");
            waiting[name] = ("CreateContainerError", e.Message);
            requeue.In(TimeSpan.FromSeconds(5));
            return false;
        }
        _events.Container(pod, name, EventTypes.Normal, EventReasons.Created, "Container created");
        try
        {
            await runtime.StartContainerAsync(id, ct).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            _events.Container(pod, name, EventTypes.Warning, EventReasons.Failed, $"Error: {e.Detail}");
            // The container stays Created or Exited with the runtime's reason; the next sync restarts it by policy.
            log.LogInformation("Pod {Pod}: container {Container} failed to start: {Error}", PodNaming.FullName(pod), name, e.Message);
            requeue.In(TimeSpan.FromSeconds(1));
            return true;
        }
        log.LogInformation("Pod {Pod}: started container {Container} {Id} (restart {Attempt})", PodNaming.FullName(pod), name, Short(id), attempt);
        _events.Container(pod, name, EventTypes.Normal, EventReasons.Started, "Container started");
        if (spec.Lifecycle?.PostStart is { } postStart)
        {
            var podIp = pod.Spec?.HostNetwork == true ? node().HostIp : sandbox.Ip;
            var error = await hooks.RunAsync(postStart, new ProbeTarget(spec, id, podIp), TimeSpan.FromSeconds(pod.Spec?.TerminationGracePeriodSeconds ?? 30), ct).ConfigureAwait(false);
            if (error is not null)
            {
                log.LogWarning("Pod {Pod}: postStart hook of {Container} failed ({Error}); killing the container", PodNaming.FullName(pod), name, error);
                // Not the hook's output: it may hold secrets (upstream leaves it out too).
                _events.Container(pod, name, EventTypes.Warning, EventReasons.FailedPostStartHook, "PostStartHook failed");
                _events.Container(pod, name, EventTypes.Normal, EventReasons.Killing, "FailedPostStartHook");
                await runtime.StopContainerAsync(id, MinimumGraceSeconds, ct).ConfigureAwait(false);
            }
        }
        return true;
    }

    private string? TerminationLogFile(Pod pod, string container, int attempt)
    {
        var dir = Path.Combine(PodNaming.PodDirectory(paths, PodNaming.Uid(pod)), "containers", container);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, $"termination-{attempt}-{Guid.NewGuid().ToString("N")[..8]}");
        File.WriteAllBytes(file, []);
        File.SetUnixFileMode(file, (UnixFileMode)0b110_110_110);
        return file;
    }

    /// <summary>
    /// A Killing event (<paramref name="message"/>, by default "Stopping container NAME"), preStop (bounded by the grace
    /// period), then SIGTERM and SIGKILL after what is left of it (at least 2 s, as upstream).
    /// </summary>
    private async Task KillContainerAsync(Pod? pod, Container? spec, ContainerView c, long graceSeconds, string? podIp, CancellationToken ct, string? message = null)
    {
        var grace = graceSeconds;
        if (pod is not null && spec is not null)
            _events.Container(pod, c.Name, EventTypes.Normal, EventReasons.Killing, message ?? $"Stopping container {c.Name}");
        if (c.State == ContainerRunState.Running && spec?.Lifecycle?.PreStop is { } preStop && grace > 0)
        {
            var clock = Stopwatch.StartNew();
            var error = await hooks.RunAsync(preStop, new ProbeTarget(spec, c.Id, podIp), TimeSpan.FromSeconds(grace), ct).ConfigureAwait(false);
            if (error is not null)
            {
                log.LogWarning("preStop hook of {Container} failed: {Error}", spec.Name, error);
                if (pod is not null) _events.Container(pod, c.Name, EventTypes.Warning, EventReasons.FailedPreStopHook, "PreStopHook failed");
            }
            grace -= (long)clock.Elapsed.TotalSeconds;
        }
        if (graceSeconds > 0 && grace < MinimumGraceSeconds) grace = MinimumGraceSeconds;
        await runtime.StopContainerAsync(c.Id, grace, ct).ConfigureAwait(false);
        if (pod is not null) log.LogInformation("Pod {Pod}: stopped container {Container} {Id}", PodNaming.FullName(pod), c.Name, Short(c.Id));
    }

    /// <summary>
    /// Stops every running container in parallel, then the sidecars one by one in the reverse of their order with what
    /// is left of the grace period (as upstream: they serve the containers to the end), then the sandboxes.
    /// </summary>
    private async Task KillPodAsync(Pod? pod, RuntimePod rt, long graceSeconds, CancellationToken ct)
    {
        var specs = (pod?.Spec?.InitContainers ?? []).Concat(pod?.Spec?.Containers ?? []).ToDictionary(c => c.Name ?? "");
        var sidecars = (pod?.Spec?.InitContainers ?? []).Where(PodStatusBuilder.IsSidecar).Select(c => c.Name ?? "").ToList();
        var podIp = pod?.Spec?.HostNetwork == true ? node().HostIp : rt.Current?.Ip;
        var live = rt.Containers.Where(c => c.State is ContainerRunState.Running or ContainerRunState.Created or ContainerRunState.Unknown).ToList();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(live.Where(c => !sidecars.Contains(c.Name))
            .Select(c => KillContainerAsync(pod, specs.GetValueOrDefault(c.Name), c, graceSeconds, podIp, ct))).ConfigureAwait(false);
        foreach (var name in Enumerable.Reverse(sidecars))
        {
            var left = Math.Max(MinimumGraceSeconds, graceSeconds - (long)clock.Elapsed.TotalSeconds);
            foreach (var c in live.Where(c => c.Name == name))
                await KillContainerAsync(pod, specs.GetValueOrDefault(c.Name), c, Math.Min(left, graceSeconds), podIp, ct).ConfigureAwait(false);
        }
        foreach (var s in rt.Sandboxes.Where(s => s.Ready)) await runtime.StopSandboxAsync(s.Id, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// activeDeadlineSeconds passed since the pod's startTime: as upstream's active deadline handler, the pod fails with
    /// reason DeadlineExceeded (a Warning event says so), its containers are stopped within its grace period, and the
    /// pod object stays for its owner to see.
    /// </summary>
    private async Task<SyncOutcome> FailForDeadlineAsync(Pod pod, RuntimePod rt, CancellationToken ct)
    {
        const string message = "Pod was active on the node longer than the specified deadline";
        log.LogInformation("Pod {Pod}: {Message}", PodNaming.FullName(pod), message);
        _events.Pod(pod, EventTypes.Warning, EventReasons.DeadlineExceeded, message);
        probes.RemovePod(PodNaming.Uid(pod));
        if (!rt.IsEmpty) await KillPodAsync(pod, rt, pod.Spec?.TerminationGracePeriodSeconds ?? 30, ct).ConfigureAwait(false);
        var stopped = await runtime.GetPodAsync(PodNaming.Uid(pod), ct).ConfigureAwait(false);
        await statuses.SetAsync(pod, StoppedStatus(pod, stopped, (EventReasons.DeadlineExceeded, message)), ct).ConfigureAwait(false);
        return new SyncOutcome(false, null);
    }

    /// <summary>
    /// The kubelet evicts the pod (an emptyDir over its sizeLimit), as upstream's eviction manager: a Warning Evicted
    /// event, its containers killed (upstream's minimum grace period), phase Failed with reason Evicted and the
    /// message, and a DisruptionTarget condition (reason TerminationByKubelet). The pod object stays for its owner to
    /// see; the mark is dropped once the status is written, since the phase holds it from then on.
    /// </summary>
    private async Task<SyncOutcome> EvictAsync(Pod pod, RuntimePod rt, string message, CancellationToken ct)
    {
        var uid = PodNaming.Uid(pod);
        log.LogInformation("Pod {Pod}: evicted: {Message}", PodNaming.FullName(pod), message);
        _events.Pod(pod, EventTypes.Warning, EventReasons.Evicted, message);
        probes.RemovePod(uid);
        // Hard thresholds and emptyDir limits stop the pod at once; a soft threshold gives it --eviction-max-pod-grace-period.
        var grace = Math.Max(MinimumGraceSeconds, evictions?.GraceFor(uid) ?? 0);
        if (!rt.IsEmpty) await KillPodAsync(pod, rt, grace, ct).ConfigureAwait(false);
        var stopped = await runtime.GetPodAsync(uid, ct).ConfigureAwait(false);
        var status = StoppedStatus(pod, stopped, (EventReasons.Evicted, message));
        var disruption = new PodCondition
        {
            Type = "DisruptionTarget", Status = "True", Reason = "TerminationByKubelet", Message = message,
            LastTransitionTime = DateTimeOffset.UtcNow,
        };
        status.Conditions = [.. (status.Conditions ?? []).Where(c => c.Type != disruption.Type), disruption];
        await statuses.SetAsync(pod, status, ct).ConfigureAwait(false);
        evictions?.Forget(uid);
        return new SyncOutcome(false, null);
    }

    /// <summary>
    /// Upstream's rejectPod: a pod the node may not start (admission) gets a Warning event and the status
    /// Failed with "Pod was rejected: …"; nothing of it was created. The other fields of its status stay.
    /// </summary>
    private async Task<SyncOutcome> RejectAsync(Pod pod, AdmissionRejection rejection, CancellationToken ct)
    {
        log.LogInformation("Pod {Pod}: rejected: {Message}", PodNaming.FullName(pod), rejection.Message);
        _events.Pod(pod, EventTypes.Warning, rejection.Reason, rejection.Message);
        var status = new PodStatus
        {
            Phase = "Failed",
            Reason = rejection.Reason,
            Message = "Pod was rejected: " + rejection.Message,
            QosClass = RuntimeConfigBuilder.QosClass(pod.Spec ?? new PodSpec()),
        };
        await statuses.SetAsync(pod, status, ct).ConfigureAwait(false);
        return new SyncOutcome(false, null);
    }

    private async Task<SyncOutcome> TerminateAsync(Pod pod, RuntimePod rt, CancellationToken ct)
    {
        var uid = PodNaming.Uid(pod);
        var grace = pod.Metadata?.DeletionGracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? 30;
        probes.RemovePod(uid);
        if (!rt.IsEmpty)
        {
            var clock = Stopwatch.StartNew();
            await KillPodAsync(pod, rt, grace, ct).ConfigureAwait(false);
            log.LogInformation("Pod {Pod}: stopped for deletion in {Ms} ms (grace period {Grace} s)", PodNaming.FullName(pod), clock.ElapsedMilliseconds, grace);
            var stopped = await runtime.GetPodAsync(uid, ct).ConfigureAwait(false);
            await statuses.SetAsync(pod, StoppedStatus(pod, stopped), ct).ConfigureAwait(false);
            await RemoveAllAsync(stopped, ct).ConfigureAwait(false);
        }
        await CleanUpPodAsync(pod, ct).ConfigureAwait(false);
        await deleter.DeleteAsync(pod, ct).ConfigureAwait(false);
        log.LogInformation("Pod {Pod}: deleted", PodNaming.FullName(pod));
        return SyncOutcome.Done;
    }

    /// <summary>A pod the API no longer has (deleted while the agent was away, or force-deleted): stop and remove what is left.</summary>
    private async Task<SyncOutcome> RemoveOrphanAsync(string uid, Pod? lastKnown, RuntimePod rt, CancellationToken ct)
    {
        probes.RemovePod(uid);
        if (!rt.IsEmpty)
        {
            await KillPodAsync(lastKnown, rt, MinimumGraceSeconds, ct).ConfigureAwait(false);
            await RemoveAllAsync(rt, ct).ConfigureAwait(false);
            log.LogInformation("Removed the containers of pod {Uid}, which is no longer in the API", uid);
        }
        var pod = lastKnown ?? new Pod { Metadata = new() { Uid = uid }, Spec = new PodSpec() };
        await CleanUpPodAsync(pod, ct).ConfigureAwait(false);
        return SyncOutcome.Done;
    }

    /// <summary>
    /// Stops what still runs of a pod whose phase is final and removes its cgroup. When a container was still
    /// running (a sidecar beside the finished containers), the status is written once more so that it shows it
    /// terminated; the final status's phase, reason and message are kept.
    /// </summary>
    private async Task StopFinishedPodAsync(Pod pod, RuntimePod rt, PodStatus final, CancellationToken ct)
    {
        var uid = PodNaming.Uid(pod);
        probes.RemovePod(uid);
        var running = rt.Containers.Any(c => c.State == ContainerRunState.Running);
        if (running || rt.Sandboxes.Any(s => s.Ready))
            await KillPodAsync(pod, rt, pod.Spec?.TerminationGracePeriodSeconds ?? 30, ct).ConfigureAwait(false);
        // Nothing of a finished pod runs again, so its cgroup goes now (as upstream's cleanup of cgroups of pods that
        // cannot be running). The runtime may still be removing the containers' own: a later sync tries again.
        if (!_cgroups.Remove(uid, out var cgroupError)) log.LogDebug("Pod {Pod}: its cgroup stays for now: {Error}", PodNaming.FullName(pod), cgroupError);
        if (!running) return;
        var stopped = await runtime.GetPodAsync(uid, ct).ConfigureAwait(false);
        var status = StoppedStatus(new Pod { Metadata = pod.Metadata, Spec = pod.Spec, Status = final }, stopped); // its times and IP carry over
        (status.Phase, status.Reason, status.Message) = (final.Phase, final.Reason, final.Message);
        await statuses.SetAsync(pod, status, ct).ConfigureAwait(false);
    }

    /// <summary>The status of a pod whose containers were just stopped (<paramref name="stopped"/>): nothing ready.</summary>
    private PodStatus StoppedStatus(Pod pod, RuntimePod stopped, (string Reason, string Message)? failedBy = null) =>
        PodStatusBuilder.Build(new PodStatusInput
        {
            Pod = pod,
            Runtime = stopped,
            HostIp = node().HostIp,
            Terminating = true,
            IsReady = (_, _) => false,
            FailedBy = failedBy,
        });

    private async Task RemoveAllAsync(RuntimePod rt, CancellationToken ct)
    {
        foreach (var c in rt.Containers) await runtime.RemoveContainerAsync(c.Id, ct).ConfigureAwait(false);
        foreach (var s in rt.Sandboxes)
        {
            await runtime.StopSandboxAsync(s.Id, ct).ConfigureAwait(false);
            await runtime.RemoveSandboxAsync(s.Id, ct).ConfigureAwait(false);
        }
    }

    private async Task CleanUpPodAsync(Pod pod, CancellationToken ct)
    {
        var uid = PodNaming.Uid(pod);
        try { await volumes.TearDownAsync(pod, ct).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { log.LogWarning("Pod {Uid}: volume teardown failed: {Error}", uid, e.Message); }
        try
        {
            var dir = PodNaming.PodDirectory(paths, uid);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            if (pod.Metadata?.Name is not null)
            {
                var logs = PodNaming.LogDirectory(paths, pod);
                if (Directory.Exists(logs)) Directory.Delete(logs, recursive: true);
            }
        }
        catch (IOException e) { log.LogWarning("Pod {Uid}: cannot remove its directories: {Error}", uid, e.Message); }
        if (!_cgroups.Remove(uid, out var cgroupError)) log.LogWarning("Pod {Uid}: its cgroup stays: {Error}", uid, cgroupError);
        evictions?.Forget(uid);
        statuses.Forget(uid);
        images.ForgetPod(uid);
        crashBackoff.ResetPrefix(uid + "/");
    }

    /// <summary>Keeps the newest two instances of each container (the current one and lastState), as upstream's container GC.</summary>
    private async Task RemoveOldContainersAsync(RuntimePod rt, CancellationToken ct)
    {
        foreach (var group in rt.Containers.GroupBy(c => c.Name))
            foreach (var old in group.Skip(2).Where(c => c.State == ContainerRunState.Exited))
                await runtime.RemoveContainerAsync(old.Id, ct).ConfigureAwait(false);
    }

    private static string BackoffKey(Pod pod, Container c) => $"{PodNaming.Uid(pod)}/{c.Name}";

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;

    /// <summary>Go's duration format for whole seconds and minutes: 10s, 40s, 1m20s, 5m0s.</summary>
    public static string FormatDelay(TimeSpan d) =>
        d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}m{d.Seconds}s" : $"{(int)d.TotalSeconds}s";

    /// <summary>The earliest of the requeue delays a sync asked for.</summary>
    private sealed class Requeue
    {
        public TimeSpan? After { get; private set; }

        public void In(TimeSpan delay)
        {
            if (After is null || delay < After) After = delay;
        }

        public void At(DateTimeOffset when, DateTimeOffset now) => In(when > now ? when - now : TimeSpan.Zero);
    }
}
