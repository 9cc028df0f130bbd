using Skiff.Api.Models.Core.V1;
using ApiContainerState = Skiff.Api.Models.Core.V1.ContainerState;
using ApiContainerStatus = Skiff.Api.Models.Core.V1.ContainerStatus;

namespace Skiff.Agent.Kubelet;

/// <summary>The facts a pod's status is computed from, gathered by the syncer.</summary>
public sealed record PodStatusInput
{
    public required Pod Pod { get; init; }
    public required RuntimePod Runtime { get; init; }
    /// <summary>Why a container without a running instance waits (ErrImagePull, CrashLoopBackOff, ...), by container name.</summary>
    public IReadOnlyDictionary<string, (string Reason, string Message)> Waiting { get; init; } = new Dictionary<string, (string, string)>();
    public Func<Container, string, bool> IsReady { get; init; } = (_, _) => true;
    public Func<Container, string, bool> IsStarted { get; init; } = (_, _) => true;
    public string? HostIp { get; init; }
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>The kubelet stopped the pod for good (deletion): finished containers make the phase terminal whatever the restart policy.</summary>
    public bool Terminating { get; init; }
    /// <summary>The kubelet failed the pod itself (activeDeadlineSeconds): phase Failed with this reason and message.</summary>
    public (string Reason, string Message)? FailedBy { get; init; }
}

/// <summary>
/// Computes a pod's status from the runtime as upstream's kubelet does (generateAPIPodStatus, getPhase):
/// container states with lastState and restartCount, the phase, the PodReadyToStartContainers,
/// Initialized, ContainersReady, Ready and PodScheduled conditions (transition times kept while a
/// condition does not change), pod and host IPs, QoS class. Pure; thread-safe.
/// </summary>
public static class PodStatusBuilder
{
    public static PodStatus Build(PodStatusInput input)
    {
        var pod = input.Pod;
        var spec = pod.Spec!;
        var old = pod.Status ?? new PodStatus();
        var runtime = input.Runtime;
        var policy = spec.RestartPolicy ?? "Always";
        var sandbox = runtime.Current;

        var initSpecs = spec.InitContainers ?? [];
        var initStatuses = initSpecs.Select(c => ContainerStatus(c, input, isInit: true, initDone: true)).ToList();
        var initDone = InitDone(spec, runtime, input.IsStarted);
        var statuses = (spec.Containers ?? []).Select(c => ContainerStatus(c, input, isInit: false, initDone)).ToList();

        var status = new PodStatus
        {
            Phase = input.FailedBy is null ? Phase(spec, initSpecs, statuses, runtime, input.Terminating, initDone) : "Failed",
            Reason = input.FailedBy?.Reason,
            Message = input.FailedBy?.Message,
            HostIP = input.HostIp,
            HostIPs = input.HostIp is null ? null : [new HostIP { Ip = input.HostIp }],
            StartTime = old.StartTime ?? input.Now,
            QosClass = RuntimeConfigBuilder.QosClass(spec),
            InitContainerStatuses = initSpecs.Count > 0 ? initStatuses : null,
            ContainerStatuses = statuses,
        };
        var ips = spec.HostNetwork == true
            ? (input.HostIp is null ? [] : new List<string> { input.HostIp })
            : sandbox is { Ready: true, Ip: { } ip } ? [ip, .. sandbox.AdditionalIps] : new List<string>();
        if (ips.Count == 0 && old.PodIP is { } oldIp && (input.Terminating || status.Phase is "Succeeded" or "Failed"))
            ips = [oldIp]; // a finished pod keeps the IP it had, as upstream
        if (ips.Count > 0)
        {
            status.PodIP = ips[0];
            status.PodIPs = [.. ips.Select(i => new PodIP { Ip = i })];
        }

        var conditions = new List<PodCondition>();
        var sandboxReady = sandbox is { Ready: true } && (spec.HostNetwork == true || sandbox.Ip is not null);
        conditions.Add(Condition("PodReadyToStartContainers", sandboxReady, null, null));
        var incompleteInit = initSpecs
            .Where((c, i) => IsSidecar(c) ? initStatuses[i].Started != true : initStatuses[i].State?.Terminated is not { ExitCode: 0 })
            .Select(c => c.Name).ToList();
        conditions.Add(incompleteInit.Count == 0 || initDone
            ? Condition("Initialized", true, null, null)
            : Condition("Initialized", false, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(" ", incompleteInit)}]"));
        // Sidecars count for readiness as the containers do (upstream's restartable init containers).
        var unready = initSpecs.Select((c, i) => (c, s: initStatuses[i])).Where(x => IsSidecar(x.c) && x.s.Ready != true).Select(x => x.s.Name)
            .Concat(statuses.Where(s => s.Ready != true).Select(s => s.Name)).ToList();
        if (status.Phase == "Succeeded" || (status.Phase == "Failed" && statuses.All(st => st.Ready != true)))
        {
            conditions.Add(Condition("ContainersReady", false, "PodCompleted", null));
            conditions.Add(Condition("Ready", false, "PodCompleted", null));
        }
        else if (!initDone)
        {
            var msg = $"containers with incomplete status: [{string.Join(" ", incompleteInit)}]";
            conditions.Add(Condition("ContainersReady", false, "ContainersNotReady", $"containers with unready status: [{string.Join(" ", unready)}]"));
            conditions.Add(Condition("Ready", false, "ContainersNotInitialized", msg));
        }
        else
        {
            var msg = unready.Count == 0 ? null : $"containers with unready status: [{string.Join(" ", unready)}]";
            conditions.Add(Condition("ContainersReady", unready.Count == 0, unready.Count == 0 ? null : "ContainersNotReady", msg));
            conditions.Add(Condition("Ready", unready.Count == 0, unready.Count == 0 ? null : "ContainersNotReady", msg));
        }
        // Conditions others own (PodScheduled from the scheduler, DisruptionTarget, readiness gates) are kept.
        var mine = conditions.Select(c => c.Type).ToHashSet();
        var kept = (old.Conditions ?? []).Where(c => !mine.Contains(c.Type)).ToList();
        if (!kept.Any(c => c.Type == "PodScheduled")) kept.Add(Condition("PodScheduled", true, null, null));
        foreach (var c in conditions)
        {
            var prev = old.Conditions?.FirstOrDefault(o => o.Type == c.Type);
            c.LastTransitionTime = prev is not null && prev.Status == c.Status ? prev.LastTransitionTime : input.Now;
        }
        foreach (var c in kept) c.LastTransitionTime ??= input.Now;
        status.Conditions = [.. conditions, .. kept];
        return status;
    }

    private static PodCondition Condition(string type, bool ok, string? reason, string? message) =>
        new() { Type = type, Status = ok ? "True" : "False", Reason = reason, Message = message };

    /// <summary>An init container with restartPolicy Always: a sidecar, which runs beside the containers.</summary>
    public static bool IsSidecar(Container c) => c.RestartPolicy == "Always";

    /// <summary>
    /// Every init container finished with exit 0 and every sidecar runs and has started (a pod without init containers
    /// is initialized). In a pod with sidecars, once any of its containers exists the pod was initialized, whatever a
    /// sidecar does since.
    /// </summary>
    public static bool InitDone(PodSpec spec, RuntimePod runtime, Func<Container, string, bool>? isStarted = null)
    {
        var inits = spec.InitContainers ?? [];
        if (inits.Any(IsSidecar) && (spec.Containers ?? []).Any(c => runtime.Latest(c.Name ?? "") is not null)) return true;
        return inits.All(c => IsSidecar(c)
            ? runtime.Latest(c.Name ?? "") is { State: ContainerRunState.Running } r && (isStarted?.Invoke(c, r.Id) ?? true)
            : runtime.Latest(c.Name ?? "") is { State: ContainerRunState.Exited, ExitCode: 0 });
    }

    private static ApiContainerStatus ContainerStatus(Container spec, PodStatusInput input, bool isInit, bool initDone)
    {
        var name = spec.Name ?? "";
        var latest = input.Runtime.Latest(name);
        var previous = input.Runtime.Previous(name);
        var status = new ApiContainerStatus
        {
            Name = name,
            Image = spec.Image,
            ImageID = latest?.ImageRef ?? "",
            ContainerID = latest?.ContainerId,
            RestartCount = latest?.Attempt ?? 0,
            Ready = false,
            Started = false,
            LastState = new ApiContainerState(),
        };
        if (latest is null)
        {
            var (reason, message) = input.Waiting.TryGetValue(name, out var w) ? w
                : (isInit || initDone ? "ContainerCreating" : "PodInitializing", (string?)null);
            if (isInit && !input.Waiting.ContainsKey(name)) reason = "PodInitializing";
            status.State = new ApiContainerState { Waiting = new ContainerStateWaiting { Reason = reason, Message = message } };
            return status;
        }
        switch (latest.State)
        {
            case ContainerRunState.Running:
                status.State = new ApiContainerState { Running = new ContainerStateRunning { StartedAt = latest.StartedAt } };
                status.Started = input.IsStarted(spec, latest.Id);
                status.Ready = (!isInit || IsSidecar(spec)) && input.IsReady(spec, latest.Id);
                if (previous is { State: ContainerRunState.Exited }) status.LastState = Terminated(previous);
                break;
            case ContainerRunState.Exited when input.Waiting.TryGetValue(name, out var wait):
                status.State = new ApiContainerState { Waiting = new ContainerStateWaiting { Reason = wait.Reason, Message = wait.Message } };
                status.LastState = Terminated(latest);
                break;
            case ContainerRunState.Exited:
                status.State = Terminated(latest);
                if (previous is { State: ContainerRunState.Exited }) status.LastState = Terminated(previous);
                break;
            default:
                var waiting = input.Waiting.TryGetValue(name, out var ww) ? ww : ("ContainerCreating", "");
                status.State = new ApiContainerState { Waiting = new ContainerStateWaiting { Reason = waiting.Item1, Message = string.IsNullOrEmpty(waiting.Item2) ? null : waiting.Item2 } };
                if (previous is { State: ContainerRunState.Exited }) status.LastState = Terminated(previous);
                break;
        }
        return status;
    }

    public static ApiContainerState Terminated(ContainerView c) => new()
    {
        Terminated = new ContainerStateTerminated
        {
            ContainerID = c.ContainerId,
            ExitCode = c.ExitCode,
            Reason = c.Reason ?? (c.ExitCode == 0 ? "Completed" : "Error"),
            Message = string.IsNullOrEmpty(c.Message) ? null : c.Message,
            StartedAt = c.StartedAt,
            FinishedAt = c.FinishedAt,
        },
    };

    /// <summary>Upstream's getPhase, with init containers and the terminating case.</summary>
    public static string Phase(PodSpec spec, IReadOnlyList<Container> inits, IReadOnlyList<ApiContainerStatus> statuses, RuntimePod runtime, bool terminating,
        bool initialized = false)
    {
        var policy = spec.RestartPolicy ?? "Always";
        foreach (var init in initialized ? [] : inits)
        {
            var c = runtime.Latest(init.Name ?? "");
            // A sidecar that runs lets the init sequence go on; its phase is the containers'.
            if (IsSidecar(init) && c is { State: ContainerRunState.Running }) continue;
            if (c is { State: ContainerRunState.Exited, ExitCode: 0 }) continue;
            if (c is { State: ContainerRunState.Exited } && (policy == "Never" || terminating)) return "Failed";
            if (terminating && c is null) return "Failed";
            return "Pending";
        }
        int running = 0, waiting = 0, stopped = 0, succeeded = 0, unknown = 0;
        foreach (var s in statuses)
        {
            if (s.State?.Running is not null) running++;
            else if (s.State?.Terminated is { } t) { stopped++; if (t.ExitCode == 0) succeeded++; }
            else if (s.State?.Waiting is not null)
            {
                if (s.LastState?.Terminated is { } lt) { stopped++; if (lt.ExitCode == 0 && !terminating) succeeded++; }
                else waiting++;
            }
            else unknown++;
        }
        if (terminating && running == 0 && unknown == 0)
            return stopped > 0 && stopped == succeeded && waiting == 0 ? "Succeeded" : "Failed";
        if (waiting > 0) return "Pending";
        if (running > 0 && unknown == 0) return "Running";
        if (running == 0 && stopped > 0 && unknown == 0)
        {
            if (policy == "Always") return "Running";
            if (stopped == succeeded) return "Succeeded";
            if (policy == "Never") return "Failed";
            return "Running";
        }
        return "Pending";
    }
}
