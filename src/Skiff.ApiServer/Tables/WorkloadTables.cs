using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>Tables of apps, batch, autoscaling and policy resources, with upstream's columns and cells.</summary>
internal static class WorkloadTables
{
    public static readonly ITableConvertor Deployments = new TableConvertor(
    [
        Col.Name,
        Col.Str("Ready", "Ready replicas out of desired replicas."),
        Col.Str("Up-to-date", "Replicas running the current template."),
        Col.Str("Available", "Replicas available to users."),
        Col.Age, Col.Containers, Col.Images, Col.Selector,
    ], (d, now) =>
    {
        var (names, images) = Formats.Containers(Json.At(d, "spec", "template", "spec"));
        // Deployments print the bare selector string: empty rather than "<none>".
        var selector = Formats.Selector(Json.Obj(d, "spec", "selector")) ?? "<invalid>";
        return
        [
            Json.Name(d), $"{Json.Long(d, "status", "readyReplicas")}/{Replicas(d)}", Json.Long(d, "status", "updatedReplicas"),
            Json.Long(d, "status", "availableReplicas"), Json.Age(d, now), names, images, selector,
        ];
    });

    public static readonly ITableConvertor ReplicaSets = new TableConvertor(
    [
        Col.Name,
        Col.Int("Desired", "Desired number of replicas."),
        Col.Int("Current", "Number of replicas that exist."),
        Col.Int("Ready", "Number of ready replicas."),
        Col.Age, Col.Containers, Col.Images, Col.Selector,
    ], (rs, now) =>
    {
        var (names, images) = Formats.Containers(Json.At(rs, "spec", "template", "spec"));
        return
        [
            Json.Name(rs), Replicas(rs), Json.Long(rs, "status", "replicas"), Json.Long(rs, "status", "readyReplicas"),
            Json.Age(rs, now), names, images, Formats.LabelSelector(Json.Obj(rs, "spec", "selector")),
        ];
    });

    public static readonly ITableConvertor StatefulSets = new TableConvertor(
        [Col.Name, Col.Str("Ready", "Ready replicas out of desired replicas."), Col.Age, Col.Containers, Col.Images],
        (sts, now) =>
        {
            var (names, images) = Formats.Containers(Json.At(sts, "spec", "template", "spec"));
            return [Json.Name(sts), $"{Json.Long(sts, "status", "readyReplicas")}/{Replicas(sts)}", Json.Age(sts, now), names, images];
        });

    public static readonly ITableConvertor DaemonSets = new TableConvertor(
    [
        Col.Name,
        Col.Int("Desired", "Nodes that should run the daemon pod."),
        Col.Int("Current", "Nodes running the daemon pod."),
        Col.Int("Ready", "Nodes with a ready daemon pod."),
        Col.Int("Up-to-date", "Nodes running the current template."),
        Col.Int("Available", "Nodes with an available daemon pod."),
        Col.Str("Node Selector", "Node labels the pods are restricted to."),
        Col.Age, Col.Containers, Col.Images, Col.Selector,
    ], (ds, now) =>
    {
        var template = Json.At(ds, "spec", "template", "spec");
        var (names, images) = Formats.Containers(template);
        var status = Json.Obj(ds, "status");
        return
        [
            Json.Name(ds), Json.Long(status, "desiredNumberScheduled"), Json.Long(status, "currentNumberScheduled"),
            Json.Long(status, "numberReady"), Json.Long(status, "updatedNumberScheduled"), Json.Long(status, "numberAvailable"),
            Formats.Labels(Json.Obj(template, "nodeSelector")), Json.Age(ds, now), names, images,
            Formats.LabelSelector(Json.Obj(ds, "spec", "selector")),
        ];
    });

    public static readonly ITableConvertor Jobs = new TableConvertor(
    [
        Col.Name,
        Col.Str("Status", "Complete, Failed, Terminating, Suspended, FailureTarget or Running."),
        Col.Str("Completions", "Succeeded pods out of required completions."),
        Col.Str("Duration", "Time the job ran, or has been running."),
        Col.Age, Col.Containers, Col.Images, Col.Selector,
    ], (job, now) =>
    {
        var (names, images) = Formats.Containers(Json.At(job, "spec", "template", "spec"));
        return
        [
            Json.Name(job), JobStatus(job), JobCompletions(job), JobDuration(job, now), Json.Age(job, now),
            names, images, Formats.LabelSelector(Json.Obj(job, "spec", "selector")),
        ];
    });

    public static readonly ITableConvertor CronJobs = new TableConvertor(
    [
        Col.Name,
        Col.Str("Schedule", "Cron schedule."),
        Col.Str("Timezone", "Time zone of the schedule."),
        Col.Bool("Suspend", "Whether new runs are suspended."),
        Col.Int("Active", "Number of running jobs."),
        Col.Str("Last Schedule", "Time since a job was last scheduled."),
        Col.Age, Col.Containers, Col.Images, Col.Selector,
    ], (cj, now) =>
    {
        var jobSpec = Json.Obj(cj, "spec", "jobTemplate", "spec");
        var (names, images) = Formats.Containers(Json.At(jobSpec, "template", "spec"));
        var last = Json.Time(cj, "status", "lastScheduleTime") is { } t ? HumanDuration.Since(t, now) : "<none>";
        return
        [
            Json.Name(cj), Json.Str(cj, "spec", "schedule"), Json.StrOrNull(cj, "spec", "timeZone") ?? "<none>",
            Formats.BoolText(Json.BoolOrNull(cj, "spec", "suspend")), (long)Json.Count(cj, "status", "active"), last,
            Json.Age(cj, now), names, images, Formats.LabelSelector(Json.Obj(jobSpec, "selector")),
        ];
    });

    public static readonly ITableConvertor HorizontalPodAutoscalers = new TableConvertor(
    [
        Col.Name,
        Col.Str("Reference", "The scaled object, kind/name."),
        Col.Str("Targets", "Current and target values of the metrics."),
        Col.Str("MinPods", "Lower replica limit."),
        Col.Str("MaxPods", "Upper replica limit."),
        Col.Str("Replicas", "Current number of replicas."),
        Col.Age,
    ], (hpa, now) =>
    {
        var spec = Json.Obj(hpa, "spec");
        var reference = $"{Json.Str(spec, "scaleTargetRef", "kind")}/{Json.Str(spec, "scaleTargetRef", "name")}";
        var min = Json.LongOrNull(spec, "minReplicas") is { } m ? m.ToString(System.Globalization.CultureInfo.InvariantCulture) : "<unset>";
        return
        [
            Json.Name(hpa), reference, HpaMetrics.Format(hpa), min, Json.Long(spec, "maxReplicas"),
            Json.Long(hpa, "status", "currentReplicas"), Json.Age(hpa, now),
        ];
    });

    public static readonly ITableConvertor ControllerRevisions = new TableConvertor(
    [
        Col.Name,
        Col.Str("Controller", "The owning controller, kind.group/name."),
        Col.Str("Revision", "Revision number."),
        Col.Age,
    ], (cr, now) =>
    {
        var owner = Json.Objs(cr, "metadata", "ownerReferences").FirstOrDefault(o => Json.Bool(o, "controller"));
        var controller = "<none>";
        if (owner is not null)
        {
            var apiVersion = Json.Str(owner, "apiVersion");
            var group = apiVersion.Contains('/') ? apiVersion[..apiVersion.IndexOf('/')] : "";
            var kind = Json.Str(owner, "kind");
            var groupKind = group.Length == 0 ? kind : kind + "." + group;
            controller = groupKind.Length == 0 ? Json.Str(owner, "name") : groupKind.ToLowerInvariant() + "/" + Json.Str(owner, "name");
        }
        return [Json.Name(cr), controller, Json.Long(cr, "revision"), Json.Age(cr, now)];
    });

    public static readonly ITableConvertor PodDisruptionBudgets = new TableConvertor(
    [
        Col.Name,
        Col.Str("Min Available", "Pods that must stay available."),
        Col.Str("Max Unavailable", "Pods that may be unavailable."),
        Col.Int("Allowed Disruptions", "Pods that may be disrupted now."),
        Col.Age,
    ], (pdb, now) =>
    [
        Json.Name(pdb), Json.IntOrString(pdb, "spec", "minAvailable") ?? "N/A", Json.IntOrString(pdb, "spec", "maxUnavailable") ?? "N/A",
        Json.Long(pdb, "status", "disruptionsAllowed"), Json.Age(pdb, now),
    ]);

    // The v1 defaults give one replica when the field is absent.
    private static long Replicas(JsonObject obj) => Json.LongOrNull(obj, "spec", "replicas") ?? 1;

    private static string JobStatus(JsonObject job)
    {
        bool Has(string type) => Json.Objs(job, "status", "conditions").FirstOrDefault(c => Json.Str(c, "type") == type) is { } c
            && Json.Str(c, "status") == "True";
        if (Has("Complete")) return "Complete";
        if (Has("Failed")) return "Failed";
        if (Json.Deleting(job)) return "Terminating";
        if (Has("Suspended")) return "Suspended";
        if (Has("FailureTarget")) return "FailureTarget";
        return "Running";
    }

    private static string JobCompletions(JsonObject job)
    {
        var succeeded = Json.Long(job, "status", "succeeded");
        if (Json.LongOrNull(job, "spec", "completions") is { } completions) return $"{succeeded}/{completions}";
        var parallelism = Json.LongOrNull(job, "spec", "parallelism") ?? 0;
        return parallelism > 1 ? $"{succeeded}/1 of {parallelism}" : $"{succeeded}/1";
    }

    private static string JobDuration(JsonObject job, DateTimeOffset now)
    {
        if (Json.Time(job, "status", "startTime") is not { } start) return "";
        return Json.Time(job, "status", "completionTime") is { } end ? HumanDuration.Format(end - start) : HumanDuration.Format(now - start);
    }
}

/// <summary>
/// The HPA TARGETS cell: "cpu: 40%/80%", "&lt;unknown&gt;/500m" and so on for at most two metrics, then
/// " + N more...". autoscaling/v1 objects (targetCPUUtilizationPercentage) print as the CPU metric they
/// convert to.
/// </summary>
internal static class HpaMetrics
{
    public static string Format(JsonObject hpa)
    {
        var spec = Json.Obj(hpa, "spec");
        var specs = Json.Objs(spec, "metrics").ToList();
        var statuses = Json.Objs(hpa, "status", "currentMetrics").ToList();
        if (specs.Count == 0 && Json.LongOrNull(spec, "targetCPUUtilizationPercentage") is { } target)
        {
            var current = Json.LongOrNull(hpa, "status", "currentCPUUtilizationPercentage") is { } c ? $"{c}%" : "<unknown>";
            return $"cpu: {current}/{target}%";
        }
        if (specs.Count == 0) return "<none>";

        const int max = 2;
        var list = new List<string>();
        for (var i = 0; i < specs.Count; i++)
        {
            var s = specs[i];
            var st = i < statuses.Count ? statuses[i] : null;
            list.Add(Json.Str(s, "type") switch
            {
                "External" => ValueOrAverage(Json.Obj(s, "external", "target"), Json.Obj(st, "external", "current"), st?["external"] is not null),
                "Object" => ValueOrAverage(Json.Obj(s, "object", "target"), Json.Obj(st, "object", "current"), st?["object"] is not null),
                "Pods" => $"{(st?["pods"] is not null ? Json.Quantity(st, "pods", "current", "averageValue") : "<unknown>")}/{Json.Quantity(s, "pods", "target", "averageValue")}",
                "Resource" => ResourceMetric(Json.Obj(s, "resource"), Json.Obj(st, "resource")),
                "ContainerResource" => ResourceMetric(Json.Obj(s, "containerResource"), Json.Obj(st, "containerResource")),
                _ => "<unknown type>",
            });
        }
        var joined = string.Join(", ", list.Take(max));
        return list.Count > max ? $"{joined} + {list.Count - max} more..." : joined;
    }

    private static string ValueOrAverage(JsonObject? target, JsonObject? current, bool hasStatus)
    {
        if (target?["averageValue"] is not null)
        {
            var cur = current?["averageValue"] is not null ? Json.Quantity(current, "averageValue") : "<unknown>";
            return $"{cur}/{Json.Quantity(target, "averageValue")} (avg)";
        }
        var value = hasStatus ? Json.Quantity(current, "value") : "<unknown>";
        return $"{value}/{Json.Quantity(target, "value")}";
    }

    private static string ResourceMetric(JsonObject? spec, JsonObject? status)
    {
        var name = Json.Str(spec, "name");
        var target = Json.Obj(spec, "target");
        if (target?["averageValue"] is not null)
        {
            var cur = status is not null ? Json.Quantity(status, "current", "averageValue") : "<unknown>";
            return $"{name}: {cur}/{Json.Quantity(target, "averageValue")}";
        }
        var current = Json.LongOrNull(status, "current", "averageUtilization") is { } u ? $"{u}%" : "<unknown>";
        var goal = Json.LongOrNull(target, "averageUtilization") is { } g ? $"{g}%" : "<auto>";
        return $"{name}: {current}/{goal}";
    }
}
