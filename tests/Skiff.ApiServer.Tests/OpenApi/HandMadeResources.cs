using Skiff.Api.Meta;

namespace Skiff.ApiServer.Tests.OpenApi;

/// <summary>A small served set written by hand: pods (+status, log, exec), namespaces (+status), deployments (+status, scale).</summary>
internal static class HandMadeResources
{
    private static readonly string[] All = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] GetUpdatePatch = ["get", "patch", "update"];

    public static readonly IReadOnlyList<ApiResourceInfo> PodsNamespacesDeployments =
    [
        new("", "v1", "pods", null, "Pod", "", "v1", true, All, "io.k8s.api.core.v1.Pod"),
        new("", "v1", "pods", "status", "Pod", "", "v1", true, GetUpdatePatch, "io.k8s.api.core.v1.Pod"),
        new("", "v1", "pods", "log", "Pod", "", "v1", true, ["get"], null),
        new("", "v1", "pods", "exec", "PodExecOptions", "", "v1", true, ["create", "get"], null),
        new("", "v1", "namespaces", null, "Namespace", "", "v1", false, ["create", "delete", "get", "list", "patch", "update", "watch"], "io.k8s.api.core.v1.Namespace"),
        new("", "v1", "namespaces", "status", "Namespace", "", "v1", false, GetUpdatePatch, "io.k8s.api.core.v1.Namespace"),
        new("apps", "v1", "deployments", null, "Deployment", "apps", "v1", true, All, "io.k8s.api.apps.v1.Deployment"),
        new("apps", "v1", "deployments", "status", "Deployment", "apps", "v1", true, GetUpdatePatch, "io.k8s.api.apps.v1.Deployment"),
        new("apps", "v1", "deployments", "scale", "Scale", "autoscaling", "v1", true, GetUpdatePatch, "io.k8s.api.autoscaling.v1.Scale"),
    ];
}
