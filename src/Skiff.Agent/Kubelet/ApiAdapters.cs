using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client;
using Skiff.Client.Rest;

namespace Skiff.Agent.Kubelet;

/// <summary>ConfigMaps and Secrets read straight from the API server when a container starts.</summary>
public sealed class ApiConfigSource(KubeClient client) : IConfigSource
{
    public Task<ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken ct) => client.ConfigMaps.TryGetAsync(ns, name, ct);
    public Task<Secret?> GetSecretAsync(string ns, string name, CancellationToken ct) => client.Secrets.TryGetAsync(ns, name, ct);
}

/// <summary>The kubelet's final delete: grace period 0 and the UID as precondition, so a new pod of the same name is never hit.</summary>
public sealed class ApiPodDeleter(KubeClient client) : IPodDeleter
{
    public async Task DeleteAsync(Pod pod, CancellationToken ct)
    {
        try
        {
            await client.Pods.DeleteAsync(pod.Metadata!.Namespace, pod.Metadata.Name!,
                new DeleteOptions { GracePeriodSeconds = 0, Preconditions = new Preconditions { Uid = pod.Metadata.Uid } }, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound || e.IsConflict) { }
    }
}
