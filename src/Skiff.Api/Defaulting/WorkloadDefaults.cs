using System.Text.Json.Nodes;
using static Skiff.Api.Defaulting.JsonFields;

namespace Skiff.Api.Defaulting;

/// <summary>apps/v1 and batch/v1 defaults (upstream pkg/apis/apps/v1 and pkg/apis/batch/v1).</summary>
internal static class WorkloadDefaults
{
    public static void Deployment(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        DefaultPointer(spec, "replicas", 1);
        var strategy = Ensure(spec, "strategy");
        DefaultString(strategy, "type", "RollingUpdate");
        if (String(strategy, "type") == "RollingUpdate")
        {
            var rollingUpdate = Ensure(strategy, "rollingUpdate");
            DefaultPointer(rollingUpdate, "maxUnavailable", "25%");
            DefaultPointer(rollingUpdate, "maxSurge", "25%");
        }
        DefaultPointer(spec, "revisionHistoryLimit", 10);
        DefaultPointer(spec, "progressDeadlineSeconds", 600);
        PodSpecDefaults.ApplyTemplate(Ensure(spec, "template"));
    }

    public static void ReplicaSet(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        DefaultPointer(spec, "replicas", 1);
        PodSpecDefaults.ApplyTemplate(Ensure(spec, "template"));
    }

    public static void DaemonSet(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        var strategy = Ensure(spec, "updateStrategy");
        DefaultString(strategy, "type", "RollingUpdate");
        if (String(strategy, "type") == "RollingUpdate")
        {
            var rollingUpdate = Ensure(strategy, "rollingUpdate");
            DefaultPointer(rollingUpdate, "maxUnavailable", 1);
            DefaultPointer(rollingUpdate, "maxSurge", 0);
        }
        DefaultPointer(spec, "revisionHistoryLimit", 10);
        PodSpecDefaults.ApplyTemplate(Ensure(spec, "template"));
    }

    public static void StatefulSet(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        DefaultString(spec, "podManagementPolicy", "OrderedReady");
        var strategy = Ensure(spec, "updateStrategy");
        if (IsEmptyString(strategy["type"]))
        {
            strategy["type"] = "RollingUpdate";
            // Only an implied RollingUpdate gets a rollingUpdate block; an explicit type without one stays as written.
            DefaultPointer(strategy, "rollingUpdate", new JsonObject());
        }
        if (String(strategy, "type") == "RollingUpdate" && Child(strategy, "rollingUpdate") is { } rollingUpdate)
        {
            DefaultPointer(rollingUpdate, "partition", 0);
            // MaxUnavailableStatefulSet is beta and on by default since 1.35.
            DefaultPointer(rollingUpdate, "maxUnavailable", 1);
        }
        var retention = Ensure(spec, "persistentVolumeClaimRetentionPolicy");
        DefaultString(retention, "whenDeleted", "Retain");
        DefaultString(retention, "whenScaled", "Retain");
        DefaultPointer(spec, "replicas", 1);
        DefaultPointer(spec, "revisionHistoryLimit", 10);
        PodSpecDefaults.ApplyTemplate(Ensure(spec, "template"));
        foreach (var claim in Items(spec, "volumeClaimTemplates")) VolumeDefaults.ApplyClaim(claim);
    }

    public static void Job(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        // A non-parallel job may leave both unset; then both are 1. Completions alone never defaults.
        if (spec["completions"] is null && spec["parallelism"] is null) spec["completions"] = 1;
        DefaultPointer(spec, "parallelism", 1);
        DefaultPointer(spec, "backoffLimit", spec["backoffLimitPerIndex"] is null ? 6 : int.MaxValue);
        var template = Ensure(spec, "template");
        // An empty label map copied upstream is omitted on the wire, so only non-empty labels are copied.
        if (Child(template, "metadata")?["labels"] is JsonObject { Count: > 0 } templateLabels)
        {
            var metadata = Ensure(obj, "metadata");
            if (!IsNonEmptyObject(metadata["labels"])) metadata["labels"] = templateLabels.DeepClone();
        }
        DefaultPointer(spec, "completionMode", "NonIndexed");
        DefaultPointer(spec, "suspend", false);
        DefaultPointer(spec, "podReplacementPolicy", spec["podFailurePolicy"] is null ? "TerminatingOrFailed" : "Failed");
        DefaultPointer(spec, "manualSelector", false);
        ApplyPodFailurePolicy(spec);
        PodSpecDefaults.ApplyTemplate(template);
    }

    public static void CronJob(JsonObject obj)
    {
        var spec = Ensure(obj, "spec");
        DefaultString(spec, "concurrencyPolicy", "Allow");
        DefaultPointer(spec, "suspend", false);
        DefaultPointer(spec, "successfulJobsHistoryLimit", 3);
        DefaultPointer(spec, "failedJobsHistoryLimit", 1);
        // The job template's JobSpec gets no Job defaults upstream (those hang off the Job type),
        // only the nested types' defaults: pod template and pod failure policy.
        var jobTemplate = Ensure(spec, "jobTemplate");
        Ensure(jobTemplate, "metadata");
        var jobSpec = Ensure(jobTemplate, "spec");
        ApplyPodFailurePolicy(jobSpec);
        PodSpecDefaults.ApplyTemplate(Ensure(jobSpec, "template"));
    }

    private static void ApplyPodFailurePolicy(JsonObject jobSpec)
    {
        foreach (var rule in Items(Child(jobSpec, "podFailurePolicy"), "rules"))
            foreach (var pattern in Items(rule, "onPodConditions"))
                DefaultString(pattern, "status", "True");
    }
}
