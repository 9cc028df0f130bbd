using Skiff.Api.Meta;

namespace Skiff.ApiServer.Tables;

/// <summary>Finds the table convertor of a resource: upstream's printer where kube-apiserver has one,
/// otherwise <see cref="GenericTableConvertor"/>.</summary>
/// <remarks>Immutable; safe from any thread.</remarks>
public static class TableConvertors
{
    private static readonly Dictionary<GroupResource, ITableConvertor> ByResource = new()
    {
        [Core("pods")] = PodTable.Convertor,
        [Core("nodes")] = CoreTables.Nodes,
        [Core("namespaces")] = CoreTables.Namespaces,
        [Core("services")] = CoreTables.Services,
        [Core("endpoints")] = CoreTables.Endpoints,
        [Core("configmaps")] = CoreTables.ConfigMaps,
        [Core("secrets")] = CoreTables.Secrets,
        [Core("serviceaccounts")] = CoreTables.ServiceAccounts,
        [Core("persistentvolumes")] = CoreTables.PersistentVolumes,
        [Core("persistentvolumeclaims")] = CoreTables.PersistentVolumeClaims,
        [Core("replicationcontrollers")] = CoreTables.ReplicationControllers,
        [Core("podtemplates")] = CoreTables.PodTemplates,
        [Core("resourcequotas")] = CoreTables.ResourceQuotas,
        [Core("componentstatuses")] = CoreTables.ComponentStatuses,
        [Core("events")] = EventTable.Convertor,
        [new("events.k8s.io", "events")] = EventTable.Convertor,
        [new("apps", "deployments")] = WorkloadTables.Deployments,
        [new("apps", "replicasets")] = WorkloadTables.ReplicaSets,
        [new("apps", "statefulsets")] = WorkloadTables.StatefulSets,
        [new("apps", "daemonsets")] = WorkloadTables.DaemonSets,
        [new("apps", "controllerrevisions")] = WorkloadTables.ControllerRevisions,
        [new("batch", "jobs")] = WorkloadTables.Jobs,
        [new("batch", "cronjobs")] = WorkloadTables.CronJobs,
        [new("autoscaling", "horizontalpodautoscalers")] = WorkloadTables.HorizontalPodAutoscalers,
        [new("policy", "poddisruptionbudgets")] = WorkloadTables.PodDisruptionBudgets,
        [new("networking.k8s.io", "ingresses")] = NetworkTables.Ingresses,
        [new("networking.k8s.io", "ingressclasses")] = NetworkTables.IngressClasses,
        [new("networking.k8s.io", "networkpolicies")] = NetworkTables.NetworkPolicies,
        [new("networking.k8s.io", "servicecidrs")] = NetworkTables.ServiceCidrs,
        [new("networking.k8s.io", "ipaddresses")] = NetworkTables.IpAddresses,
        [new("discovery.k8s.io", "endpointslices")] = NetworkTables.EndpointSlices,
        [new("storage.k8s.io", "storageclasses")] = StorageTables.StorageClasses,
        [new("storage.k8s.io", "volumeattributesclasses")] = StorageTables.VolumeAttributesClasses,
        [new("storage.k8s.io", "csidrivers")] = StorageTables.CsiDrivers,
        [new("storage.k8s.io", "csinodes")] = StorageTables.CsiNodes,
        [new("storage.k8s.io", "csistoragecapacities")] = StorageTables.CsiStorageCapacities,
        [new("storage.k8s.io", "volumeattachments")] = StorageTables.VolumeAttachments,
        [new("rbac.authorization.k8s.io", "rolebindings")] = ClusterTables.RoleBindings,
        [new("rbac.authorization.k8s.io", "clusterrolebindings")] = ClusterTables.ClusterRoleBindings,
        [new("certificates.k8s.io", "certificatesigningrequests")] = ClusterTables.CertificateSigningRequests,
        [new("certificates.k8s.io", "clustertrustbundles")] = ClusterTables.ClusterTrustBundles,
        [new("coordination.k8s.io", "leases")] = ClusterTables.Leases,
        [new("coordination.k8s.io", "leasecandidates")] = ClusterTables.LeaseCandidates,
        [new("scheduling.k8s.io", "priorityclasses")] = ClusterTables.PriorityClasses,
        [new("node.k8s.io", "runtimeclasses")] = ClusterTables.RuntimeClasses,
        [new("admissionregistration.k8s.io", "mutatingwebhookconfigurations")] = ClusterTables.WebhookConfigurations,
        [new("admissionregistration.k8s.io", "validatingwebhookconfigurations")] = ClusterTables.WebhookConfigurations,
        [new("admissionregistration.k8s.io", "validatingadmissionpolicies")] = ClusterTables.ValidatingAdmissionPolicies,
        [new("admissionregistration.k8s.io", "validatingadmissionpolicybindings")] = ClusterTables.PolicyBindings,
        [new("admissionregistration.k8s.io", "mutatingadmissionpolicies")] = ClusterTables.MutatingAdmissionPolicies,
        [new("admissionregistration.k8s.io", "mutatingadmissionpolicybindings")] = ClusterTables.PolicyBindings,
        [new("flowcontrol.apiserver.k8s.io", "flowschemas")] = ClusterTables.FlowSchemas,
        [new("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations")] = ClusterTables.PriorityLevelConfigurations,
        [new("internal.apiserver.k8s.io", "storageversions")] = ClusterTables.StorageVersions,
        [new("resource.k8s.io", "deviceclasses")] = ClusterTables.DeviceClasses,
        [new("resource.k8s.io", "resourceclaims")] = ClusterTables.ResourceClaims,
        [new("resource.k8s.io", "resourceclaimtemplates")] = ClusterTables.ResourceClaimTemplates,
        [new("resource.k8s.io", "resourceslices")] = ClusterTables.ResourceSlices,
        [new("storagemigration.k8s.io", "storageversionmigrations")] = ClusterTables.StorageVersionMigrations,
        [new("apiregistration.k8s.io", "apiservices")] = ClusterTables.ApiServices,
    };

    /// <summary>The convertor for <paramref name="resource"/>; the generic NAME/CREATED AT table for
    /// resources without a printer (roles, limitranges, CRDs, custom resources).</summary>
    public static ITableConvertor For(GroupResource resource) =>
        ByResource.TryGetValue(resource, out var convertor) ? convertor : GenericTableConvertor.Instance;

    /// <summary>Resources with a dedicated printer.</summary>
    public static IEnumerable<GroupResource> Printed => ByResource.Keys;

    /// <summary>True when <paramref name="resource"/> has a dedicated (non-generic) printer.</summary>
    public static bool HasPrinter(GroupResource resource) => ByResource.ContainsKey(resource);

    private static GroupResource Core(string resource) => new("", resource);
}
