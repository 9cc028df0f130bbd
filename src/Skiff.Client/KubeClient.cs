using Skiff.Api.Json;
using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using M = Skiff.Api.Models;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client;

/// <summary>
/// The entry point of a component's API access: one <see cref="ApiConnection"/> and the typed and dynamic
/// resource clients over it. Every call goes to the API server (for cached reads use informers).
/// Safe from any thread; create one per process and dispose it at shutdown.
/// </summary>
public sealed class KubeClient : IDisposable
{
    private readonly ConcurrentDictionary<(Type, Type), object> _typed = new();

    public KubeClient(ApiConnection connection) => Connection = connection;

    /// <summary>A client authenticated as the kubeconfig's user (for components: their own client certificate).</summary>
    public static KubeClient FromKubeconfig(string path, string? context = null) =>
        new(ApiConnection.Create(KubeconfigLoader.LoadFile(path, context)));

    public ApiConnection Connection { get; }

    /// <summary>The typed client of the built-in resource that serves model <typeparamref name="T"/>.</summary>
    public ResourceClient<T> Resource<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TList>() where T : class, IJsonModel<T> where TList : class, IJsonModel<TList> =>
        (ResourceClient<T>)_typed.GetOrAdd((typeof(T), typeof(TList)), _ =>
        {
            var codec = ModelCodec<T, TList>.Instance;
            return new ResourceClient<T>(Connection, ResourceDescriptor.ForKind(codec.GroupVersionKind), codec);
        });

    /// <summary>A client for any resource (custom resources included) as JSON trees.</summary>
    public ResourceClient<JsonObject> Dynamic(ResourceDescriptor resource) =>
        new(Connection, resource, JsonObjectCodec.Instance);

    public ResourceClient<M.Core.V1.Pod> Pods => Resource<M.Core.V1.Pod, M.Core.V1.PodList>();
    public ResourceClient<M.Core.V1.Node> Nodes => Resource<M.Core.V1.Node, M.Core.V1.NodeList>();
    public ResourceClient<M.Core.V1.Namespace> Namespaces => Resource<M.Core.V1.Namespace, M.Core.V1.NamespaceList>();
    public ResourceClient<M.Core.V1.Service> Services => Resource<M.Core.V1.Service, M.Core.V1.ServiceList>();
    public ResourceClient<M.Core.V1.Endpoints> Endpoints => Resource<M.Core.V1.Endpoints, M.Core.V1.EndpointsList>();
    public ResourceClient<M.Discovery.V1.EndpointSlice> EndpointSlices => Resource<M.Discovery.V1.EndpointSlice, M.Discovery.V1.EndpointSliceList>();
    public ResourceClient<M.Core.V1.ConfigMap> ConfigMaps => Resource<M.Core.V1.ConfigMap, M.Core.V1.ConfigMapList>();
    public ResourceClient<M.Core.V1.Secret> Secrets => Resource<M.Core.V1.Secret, M.Core.V1.SecretList>();
    public ResourceClient<M.Core.V1.ServiceAccount> ServiceAccounts => Resource<M.Core.V1.ServiceAccount, M.Core.V1.ServiceAccountList>();
    public ResourceClient<M.Core.V1.PersistentVolume> PersistentVolumes => Resource<M.Core.V1.PersistentVolume, M.Core.V1.PersistentVolumeList>();
    public ResourceClient<M.Core.V1.PersistentVolumeClaim> PersistentVolumeClaims => Resource<M.Core.V1.PersistentVolumeClaim, M.Core.V1.PersistentVolumeClaimList>();
    public ResourceClient<M.Events.V1.Event> Events => Resource<M.Events.V1.Event, M.Events.V1.EventList>();
    public ResourceClient<M.Coordination.V1.Lease> Leases => Resource<M.Coordination.V1.Lease, M.Coordination.V1.LeaseList>();
    public ResourceClient<M.Apps.V1.ReplicaSet> ReplicaSets => Resource<M.Apps.V1.ReplicaSet, M.Apps.V1.ReplicaSetList>();
    public ResourceClient<M.Apps.V1.Deployment> Deployments => Resource<M.Apps.V1.Deployment, M.Apps.V1.DeploymentList>();
    public ResourceClient<M.Apps.V1.StatefulSet> StatefulSets => Resource<M.Apps.V1.StatefulSet, M.Apps.V1.StatefulSetList>();
    public ResourceClient<M.Apps.V1.DaemonSet> DaemonSets => Resource<M.Apps.V1.DaemonSet, M.Apps.V1.DaemonSetList>();
    public ResourceClient<M.Batch.V1.Job> Jobs => Resource<M.Batch.V1.Job, M.Batch.V1.JobList>();
    public ResourceClient<M.Batch.V1.CronJob> CronJobs => Resource<M.Batch.V1.CronJob, M.Batch.V1.CronJobList>();
    public ResourceClient<M.Scheduling.V1.PriorityClass> PriorityClasses => Resource<M.Scheduling.V1.PriorityClass, M.Scheduling.V1.PriorityClassList>();
    public ResourceClient<M.Policy.V1.PodDisruptionBudget> PodDisruptionBudgets => Resource<M.Policy.V1.PodDisruptionBudget, M.Policy.V1.PodDisruptionBudgetList>();

    public void Dispose() => Connection.Dispose();
}
