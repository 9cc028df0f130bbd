using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.RootCaPublisher;

/// <summary>
/// Publishes the cluster's CA certificate as the ConfigMap kube-root-ca.crt (key ca.crt) in every
/// namespace, as upstream's root-ca-cert-publisher does, so pods can verify the API server; puts
/// it back when it is deleted or edited.
/// </summary>
public sealed class RootCaPublisher(KubeClient client, SharedInformerFactory informers, string caPem, ILoggerFactory loggers)
{
    public const string Name = "kube-root-ca.crt";
    public const string Key = "ca.crt";
    private const string DescriptionAnnotation = "kubernetes.io/description";
    private const string Description = "The CA certificate that signs the API server's serving certificate; pods use it to verify kubernetes.default.svc.";

    public async Task RunAsync(CancellationToken ct)
    {
        var log = loggers.CreateLogger("root-ca-publisher");
        var namespaces = informers.For<Namespace, NamespaceList>();
        var configMaps = informers.For<ConfigMap, ConfigMapList>();
        var workers = new KeyedWorkers<string>("root-ca-publisher", async (ns, c) =>
        {
            if (namespaces.Store.Get(null, ns) is not { } n || n.Status?.Phase == "Terminating" || n.Metadata?.DeletionTimestamp is not null) return;
            var current = configMaps.Store.Get(ns, Name);
            if (current is null)
            {
                try
                {
                    await client.ConfigMaps.CreateAsync(new ConfigMap
                    {
                        Metadata = new ObjectMeta { Name = Name, Namespace = ns, Annotations = new() { [DescriptionAnnotation] = Description } },
                        Data = new() { [Key] = caPem },
                    }, ns, ct: c);
                }
                catch (ApiException e) when (e.Code is 409 or 403) { }
                return;
            }
            if (current.Data?.GetValueOrDefault(Key) == caPem) return;
            var patch = new System.Text.Json.Nodes.JsonObject
            {
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["resourceVersion"] = current.Metadata?.ResourceVersion },
                ["data"] = new System.Text.Json.Nodes.JsonObject { [Key] = caPem },
            };
            await client.ConfigMaps.PatchAsync(ns, Name, PatchType.Merge, patch.ToJsonString(), ct: c);
            log.LogInformation("Restored {Name} in {Namespace}", Name, ns);
        }, log);
        namespaces.AddEventHandler(new ResourceEventHandler<Namespace>
        {
            Added = (n, _) => workers.Enqueue(n.Metadata!.Name!),
            Updated = (_, n) => workers.Enqueue(n.Metadata!.Name!),
        });
        configMaps.AddEventHandler(new ResourceEventHandler<ConfigMap>
        {
            Updated = (_, cm) => { if (cm.Metadata?.Name == Name) workers.Enqueue(cm.Metadata.Namespace!); },
            Deleted = (cm, _) => { if (cm.Metadata?.Name == Name) workers.Enqueue(cm.Metadata.Namespace!); },
        });
        informers.Start(ct);
        await informers.WaitForCacheSyncAsync(ct);
        await workers.RunAsync(1, ct);
    }
}
