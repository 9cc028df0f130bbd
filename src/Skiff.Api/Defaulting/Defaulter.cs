using System.Text.Json.Nodes;

namespace Skiff.Api.Defaulting;

/// <summary>
/// Upstream's scheme defaulting for built-in kinds, on objects held as wire JSON. The API server
/// calls <see cref="Apply"/> on every create and update (before admission's validation and the
/// strategy), as upstream defaults on decode; it should also be safe to call on read.
/// Promises: mutates in place; never replaces a value the user set (except where upstream does:
/// a namespace's kubernetes.io/metadata.name label, and sessionAffinityConfig for affinity None);
/// idempotent; kinds it does not know are left alone. Stateless and thread-safe.
/// Not here, because upstream does them elsewhere: status of new objects, ClusterIP/NodePort and
/// IP family allocation, generated Job selectors, admission (service account token volume,
/// priority, default tolerations). The one exception is a Pod's default service account name,
/// which is the ServiceAccount admission plugin upstream but has no other home in Skiff yet.
/// </summary>
public static class Defaulter
{
    public static void Apply(string group, string version, string kind, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (For(group, version, kind) is { } apply) apply(obj);
    }

    /// <summary>True when <see cref="Apply"/> does something for this kind.</summary>
    public static bool Knows(string group, string version, string kind) => For(group, version, kind) is not null;

    private static Action<JsonObject>? For(string group, string version, string kind) => (group, version, kind) switch
    {
        ("", "v1", "Pod") => PodSpecDefaults.ApplyPod,
        ("", "v1", "PodTemplate") => CoreDefaults.PodTemplate,
        ("", "v1", "ReplicationController") => CoreDefaults.ReplicationController,
        ("", "v1", "Service") => CoreDefaults.Service,
        ("", "v1", "Secret") => CoreDefaults.Secret,
        ("", "v1", "Namespace") => CoreDefaults.Namespace,
        ("", "v1", "Endpoints") => CoreDefaults.Endpoints,
        ("", "v1", "Node") => CoreDefaults.Node,
        ("", "v1", "LimitRange") => CoreDefaults.LimitRange,
        ("", "v1", "PersistentVolumeClaim") => VolumeDefaults.ApplyClaim,
        ("", "v1", "PersistentVolume") => VolumeDefaults.ApplyPersistentVolume,
        ("apps", "v1", "Deployment") => WorkloadDefaults.Deployment,
        ("apps", "v1", "ReplicaSet") => WorkloadDefaults.ReplicaSet,
        ("apps", "v1", "StatefulSet") => WorkloadDefaults.StatefulSet,
        ("apps", "v1", "DaemonSet") => WorkloadDefaults.DaemonSet,
        ("batch", "v1", "Job") => WorkloadDefaults.Job,
        ("batch", "v1", "CronJob") => WorkloadDefaults.CronJob,
        ("autoscaling", "v1", "HorizontalPodAutoscaler") => AutoscalingDefaults.HorizontalPodAutoscalerV1,
        ("autoscaling", "v2", "HorizontalPodAutoscaler") => AutoscalingDefaults.HorizontalPodAutoscalerV2,
        _ => null,
    };
}
