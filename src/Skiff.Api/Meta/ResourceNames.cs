namespace Skiff.Api.Meta;

/// <summary>
/// The discovery facts that upstream keeps in each resource's REST storage rather than in the
/// OpenAPI document: short names (kubectl's <c>po</c>, <c>svc</c>, ...), categories (<c>kubectl get all</c>)
/// and the singular name. Values follow the Kubernetes 1.36 kube-apiserver.
/// </summary>
/// <remarks>Immutable static data; safe to use from any thread.</remarks>
public static class ResourceNames
{
    private static readonly string[] None = [];
    private static readonly string[] All = ["all"];
    private static readonly string[] ApiExtensions = ["api-extensions"];

    // Resources are unique per group across versions, so the table is keyed by GroupResource.
    private static readonly Dictionary<GroupResource, string[]> ShortNameTable = new()
    {
        [Core("componentstatuses")] = ["cs"],
        [Core("configmaps")] = ["cm"],
        [Core("endpoints")] = ["ep"],
        [Core("events")] = ["ev"],
        [Core("limitranges")] = ["limits"],
        [Core("namespaces")] = ["ns"],
        [Core("nodes")] = ["no"],
        [Core("persistentvolumeclaims")] = ["pvc"],
        [Core("persistentvolumes")] = ["pv"],
        [Core("pods")] = ["po"],
        [Core("replicationcontrollers")] = ["rc"],
        [Core("resourcequotas")] = ["quota"],
        [Core("serviceaccounts")] = ["sa"],
        [Core("services")] = ["svc"],
        [new("apiextensions.k8s.io", "customresourcedefinitions")] = ["crd", "crds"],
        [new("apps", "daemonsets")] = ["ds"],
        [new("apps", "deployments")] = ["deploy"],
        [new("apps", "replicasets")] = ["rs"],
        [new("apps", "statefulsets")] = ["sts"],
        [new("autoscaling", "horizontalpodautoscalers")] = ["hpa"],
        [new("batch", "cronjobs")] = ["cj"],
        [new("certificates.k8s.io", "certificatesigningrequests")] = ["csr"],
        [new("events.k8s.io", "events")] = ["ev"],
        [new("networking.k8s.io", "ingresses")] = ["ing"],
        [new("networking.k8s.io", "networkpolicies")] = ["netpol"],
        [new("networking.k8s.io", "ipaddresses")] = ["ip"],
        [new("policy", "poddisruptionbudgets")] = ["pdb"],
        [new("scheduling.k8s.io", "priorityclasses")] = ["pc"],
        [new("storage.k8s.io", "storageclasses")] = ["sc"],
        [new("storage.k8s.io", "volumeattributesclasses")] = ["vac"],
    };

    private static readonly Dictionary<GroupResource, string[]> CategoryTable = new()
    {
        [Core("pods")] = All,
        [Core("replicationcontrollers")] = All,
        [Core("services")] = All,
        [new("apps", "daemonsets")] = All,
        [new("apps", "deployments")] = All,
        [new("apps", "replicasets")] = All,
        [new("apps", "statefulsets")] = All,
        [new("autoscaling", "horizontalpodautoscalers")] = All,
        [new("batch", "cronjobs")] = All,
        [new("batch", "jobs")] = All,
        [new("apiextensions.k8s.io", "customresourcedefinitions")] = ApiExtensions,
        [new("apiregistration.k8s.io", "apiservices")] = ApiExtensions,
        [new("admissionregistration.k8s.io", "mutatingwebhookconfigurations")] = ApiExtensions,
        [new("admissionregistration.k8s.io", "validatingwebhookconfigurations")] = ApiExtensions,
        [new("admissionregistration.k8s.io", "validatingadmissionpolicies")] = ApiExtensions,
        [new("admissionregistration.k8s.io", "validatingadmissionpolicybindings")] = ApiExtensions,
        [new("admissionregistration.k8s.io", "mutatingadmissionpolicies")] = ApiExtensions,
        [new("admissionregistration.k8s.io", "mutatingadmissionpolicybindings")] = ApiExtensions,
    };

    /// <summary>Short names kubectl accepts for the resource, in upstream's order; empty when it has none.</summary>
    public static IReadOnlyList<string> ShortNames(GroupResource resource) =>
        ShortNameTable.TryGetValue(resource, out var names) ? names : None;

    /// <summary>Categories the resource belongs to ("all", "api-extensions"); empty when none.</summary>
    public static IReadOnlyList<string> Categories(GroupResource resource) =>
        CategoryTable.TryGetValue(resource, out var categories) ? categories : None;

    /// <summary>
    /// The singular resource name discovery reports: upstream derives it from the kind by lowercasing
    /// (Endpoints → "endpoints", APIService → "apiservice"), so that is what this returns.
    /// </summary>
    public static string Singular(GroupResource resource, string kind) => kind.ToLowerInvariant();

    /// <summary>Every resource this table says something about (short names or categories).</summary>
    public static IEnumerable<GroupResource> Described => ShortNameTable.Keys.Union(CategoryTable.Keys);

    private static GroupResource Core(string resource) => new("", resource);
}
