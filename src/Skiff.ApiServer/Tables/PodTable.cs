using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>
/// The pods table: NAME READY STATUS RESTARTS AGE, wide IP NODE NOMINATED NODE READINESS GATES.
/// STATUS follows upstream's printPod: the phase, overridden by status.reason, scheduling gates, the first
/// unfinished init container ("Init:1/3", "Init:CrashLoopBackOff"), then the last container with a waiting
/// or terminated reason, and finally "Terminating" / "Unknown" for pods being deleted.
/// </summary>
internal static class PodTable
{
    private const string NodeUnreachablePodReason = "NodeLost";

    public static readonly ITableConvertor Convertor = new TableConvertor(
    [
        Col.Name,
        Col.Str("Ready", "Ready containers out of all containers."),
        Col.Str("Status", "Summary of the pod's state, as kubectl shows it."),
        Col.Str("Restarts", "Container restarts, and how long ago the last one was."),
        Col.Age,
        Col.Wide("IP", "The pod's primary IP address."),
        Col.Wide("Node", "The node the pod is bound to."),
        Col.Wide("Nominated Node", "The node preemption nominated for the pod."),
        Col.Wide("Readiness Gates", "Readiness gates that are true out of all gates."),
    ], Cells, Conditions);

    private static readonly TableRowCondition[] Succeeded = [new("Completed", "True", "Succeeded", "The pod has completed successfully.")];
    private static readonly TableRowCondition[] Failed = [new("Completed", "True", "Failed", "The pod failed.")];

    private static IReadOnlyList<TableRowCondition> Conditions(JsonObject pod) => Json.Str(pod, "status", "phase") switch
    {
        "Succeeded" => Succeeded,
        "Failed" => Failed,
        _ => [],
    };

    private static object?[] Cells(JsonObject pod, DateTimeOffset now)
    {
        var spec = Json.Obj(pod, "spec");
        var status = Json.Obj(pod, "status");
        var phase = Json.Str(status, "phase");
        var reason = Json.Str(status, "reason") is { Length: > 0 } r ? r : phase;

        if (Json.Objs(status, "conditions").Any(c => Json.Str(c, "type") == "PodScheduled" && Json.Str(c, "reason") == "SchedulingGated"))
            reason = "SchedulingGated";

        var initContainers = Json.Objs(spec, "initContainers").ToList();
        var restartableInit = initContainers.Where(c => Json.Str(c, "restartPolicy") == "Always")
            .Select(c => Json.Str(c, "name")).ToHashSet();
        var totalContainers = Json.Count(spec, "containers") + restartableInit.Count;
        var readyContainers = 0;
        long restarts = 0, restartableInitRestarts = 0;
        DateTimeOffset? lastRestart = null, lastRestartableInitRestart = null;

        var initializing = false;
        var initStatuses = Json.Objs(status, "initContainerStatuses").ToList();
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var cs = initStatuses[i];
            var isRestartable = restartableInit.Contains(Json.Str(cs, "name"));
            restarts += Json.Long(cs, "restartCount");
            lastRestart = Later(lastRestart, Json.Time(cs, "lastState", "terminated", "finishedAt"));
            if (isRestartable)
            {
                restartableInitRestarts += Json.Long(cs, "restartCount");
                lastRestartableInitRestart = Later(lastRestartableInitRestart, Json.Time(cs, "lastState", "terminated", "finishedAt"));
            }

            var terminated = Json.Obj(cs, "state", "terminated");
            var waiting = Json.Obj(cs, "state", "waiting");
            if (terminated is not null && Json.Long(terminated, "exitCode") == 0) continue;
            if (isRestartable && Json.Bool(cs, "started"))
            {
                if (Json.Bool(cs, "ready")) readyContainers++;
                continue;
            }
            if (terminated is not null)
            {
                var termReason = Json.Str(terminated, "reason");
                reason = termReason.Length > 0 ? "Init:" + termReason
                    : Json.Long(terminated, "signal") != 0 ? $"Init:Signal:{Json.Long(terminated, "signal")}"
                    : $"Init:ExitCode:{Json.Long(terminated, "exitCode")}";
            }
            else if (waiting is not null && Json.Str(waiting, "reason") is { Length: > 0 } wr && wr != "PodInitializing")
                reason = "Init:" + wr;
            else
                reason = $"Init:{i}/{initContainers.Count}";
            initializing = true;
            break;
        }

        if (!initializing || InitializedConditionTrue(status))
        {
            restarts = restartableInitRestarts;
            lastRestart = lastRestartableInitRestart;
            var hasRunning = false;
            var statuses = Json.Objs(status, "containerStatuses").ToList();
            // Walked last to first so the first container's reason wins, as upstream.
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var cs = statuses[i];
                restarts += Json.Long(cs, "restartCount");
                lastRestart = Later(lastRestart, Json.Time(cs, "lastState", "terminated", "finishedAt"));
                var waiting = Json.Obj(cs, "state", "waiting");
                var terminated = Json.Obj(cs, "state", "terminated");
                if (waiting is not null && Json.Str(waiting, "reason") is { Length: > 0 } wr)
                    reason = wr;
                else if (terminated is not null && Json.Str(terminated, "reason") is { Length: > 0 } tr)
                    reason = tr;
                else if (terminated is not null)
                    reason = Json.Long(terminated, "signal") != 0 ? $"Signal:{Json.Long(terminated, "signal")}"
                        : $"ExitCode:{Json.Long(terminated, "exitCode")}";
                else if (Json.Bool(cs, "ready") && Json.Obj(cs, "state", "running") is not null)
                {
                    hasRunning = true;
                    readyContainers++;
                }
            }

            if (reason == "Completed" && hasRunning)
                reason = Json.Objs(status, "conditions").Any(c => Json.Str(c, "type") == "Ready" && Json.Str(c, "status") == "True")
                    ? "Running" : "NotReady";
        }

        if (Json.Deleting(pod) && Json.Str(status, "reason") == NodeUnreachablePodReason)
            reason = "Unknown";
        else if (Json.Deleting(pod) && phase is not ("Succeeded" or "Failed"))
            reason = "Terminating";

        var restartsText = restarts != 0 && lastRestart is { } lr
            ? $"{restarts} ({HumanDuration.Since(lr, now)} ago)"
            : restarts.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var podIp = Json.Objs(status, "podIPs").Select(p => Json.Str(p, "ip")).FirstOrDefault() is { Length: > 0 } ip ? ip : "<none>";
        var nodeName = Json.Str(spec, "nodeName") is { Length: > 0 } n ? n : "<none>";
        var nominated = Json.Str(status, "nominatedNodeName") is { Length: > 0 } nn ? nn : "<none>";

        return
        [
            Json.Name(pod), $"{readyContainers}/{totalContainers}", reason, restartsText, Json.Age(pod, now),
            podIp, nodeName, nominated, ReadinessGates(spec, status),
        ];
    }

    private static string ReadinessGates(JsonObject? spec, JsonObject? status)
    {
        var gates = Json.Objs(spec, "readinessGates").ToList();
        if (gates.Count == 0) return "<none>";
        var conditions = Json.Objs(status, "conditions").ToList();
        var trueCount = gates.Count(g =>
            conditions.FirstOrDefault(c => Json.Str(c, "type") == Json.Str(g, "conditionType")) is { } c && Json.Str(c, "status") == "True");
        return $"{trueCount}/{gates.Count}";
    }

    private static bool InitializedConditionTrue(JsonObject? status) =>
        Json.Objs(status, "conditions").FirstOrDefault(c => Json.Str(c, "type") == "Initialized") is { } c
        && Json.Str(c, "status") == "True";

    private static DateTimeOffset? Later(DateTimeOffset? current, DateTimeOffset? candidate) =>
        candidate is { } c && (current is null || current < c) ? c : current;
}
