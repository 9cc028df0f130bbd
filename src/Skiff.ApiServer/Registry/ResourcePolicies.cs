using Skiff.Api.Meta;

namespace Skiff.ApiServer.Registry;

/// <summary>The per-kind rules of the built-in resources that differ from the generic defaults.</summary>
public static class ResourcePolicies
{
    private static readonly HashSet<GroupResource> Generation =
    [
        new("apps", "deployments"), new("apps", "replicasets"), new("apps", "statefulsets"), new("apps", "daemonsets"),
        new("batch", "jobs"), new("batch", "cronjobs"), new("", "replicationcontrollers"), new("", "pods"),
        new("policy", "poddisruptionbudgets"), new("networking.k8s.io", "networkpolicies"), new("networking.k8s.io", "ingresses"),
        new("apiextensions.k8s.io", "customresourcedefinitions"),
        new("admissionregistration.k8s.io", "validatingwebhookconfigurations"), new("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
        new("admissionregistration.k8s.io", "validatingadmissionpolicies"), new("admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
        new("admissionregistration.k8s.io", "mutatingadmissionpolicies"), new("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"),
        new("flowcontrol.apiserver.k8s.io", "flowschemas"), new("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"),
        new("autoscaling", "horizontalpodautoscalers"),
    ];

    private static readonly Dictionary<GroupResource, string[]> FieldLabels = new()
    {
        [new("", "pods")] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
        [new("", "events")] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        [new("events.k8s.io", "events")] = ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type"],
        [new("", "namespaces")] = ["status.phase"],
        [new("", "secrets")] = ["type"],
        [new("", "nodes")] = ["spec.unschedulable"],
        [new("", "replicationcontrollers")] = ["status.replicas"],
        [new("apps", "replicasets")] = ["status.replicas"],
        [new("batch", "jobs")] = ["status.successful"],
        [new("certificates.k8s.io", "certificatesigningrequests")] = ["spec.signerName"],
        [new("", "services")] = ["spec.clusterIP", "spec.type"],
    };

    private static readonly HashSet<GroupResource> CreateOnUpdate =
    [
        new("", "endpoints"), new("", "events"), new("events.k8s.io", "events"), new("", "limitranges"),
        new("discovery.k8s.io", "endpointslices"),
    ];

    private static readonly HashSet<GroupResource> ReturnsDeletedObject =
    [
        new("", "pods"), new("", "services"), new("", "serviceaccounts"), new("", "namespaces"),
        new("storage.k8s.io", "storageclasses"), new("apiextensions.k8s.io", "customresourcedefinitions"),
        new("", "persistentvolumes"), new("", "persistentvolumeclaims"),
    ];

    public static ResourcePolicy For(GroupResource gr) => new()
    {
        GracePeriod = gr == new GroupResource("", "pods") ? DeletionRules.PodGracePeriod : null,
        ReturnDeletedObject = ReturnsDeletedObject.Contains(gr),
        TracksGeneration = Generation.Contains(gr),
        AllowCreateOnUpdate = CreateOnUpdate.Contains(gr),
        KeepsStatusOnCreate = gr == new GroupResource("", "nodes"),
        InitialStatusJson = gr == new GroupResource("", "pods") ? """{"phase":"Pending"}"""
            : gr == new GroupResource("", "namespaces") ? """{"phase":"Active"}""" : "{}",
        ExtraFieldLabels = FieldLabels.TryGetValue(gr, out var f) ? f : [],
        Normalize = gr == new GroupResource("", "secrets") ? FoldStringData
            : gr == new GroupResource("apiextensions.k8s.io", "customresourcedefinitions") ? CustomResources.CrdDefaults.Apply : null,
    };

    /// <summary>Secrets: type defaults to Opaque; stringData is a write-only convenience whose entries win over data, never stored.</summary>
    private static void FoldStringData(System.Text.Json.Nodes.JsonObject secret)
    {
        if (secret["type"] is null) secret["type"] = "Opaque"; // upstream's default
        if (secret["stringData"] is not System.Text.Json.Nodes.JsonObject sd) { secret.Remove("stringData"); return; }
        var data = secret["data"] as System.Text.Json.Nodes.JsonObject ?? new System.Text.Json.Nodes.JsonObject();
        foreach (var (k, v) in sd)
            data[k] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(v?.GetValue<string>() ?? ""));
        secret["data"] = data;
        secret.Remove("stringData");
    }
}
