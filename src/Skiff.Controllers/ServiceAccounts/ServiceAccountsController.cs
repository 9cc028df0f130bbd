using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.ServiceAccounts;

/// <summary>
/// Every active namespace has a "default" ServiceAccount (upstream's serviceaccount controller):
/// created when the namespace appears and re-created if deleted.
/// </summary>
public sealed class ServiceAccountsController(KubeClient client, SharedInformerFactory informers, ILoggerFactory loggers)
{
    public const string DefaultName = "default";

    public async Task RunAsync(CancellationToken ct)
    {
        var log = loggers.CreateLogger("serviceaccounts");
        var namespaces = informers.For<Namespace, NamespaceList>();
        var accounts = informers.For<ServiceAccount, ServiceAccountList>();
        var workers = new KeyedWorkers<string>("serviceaccounts", async (ns, c) =>
        {
            if (namespaces.Store.Get(null, ns) is not { } n || n.Status?.Phase == "Terminating" || n.Metadata?.DeletionTimestamp is not null) return;
            if (accounts.Store.Get(ns, DefaultName) is not null) return;
            try
            {
                await client.ServiceAccounts.CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = DefaultName, Namespace = ns } }, ns, ct: c);
                log.LogInformation("Created the default ServiceAccount in {Namespace}", ns);
            }
            catch (ApiException e) when (e.Code == 409) { }
            catch (ApiException e) when (e.Code == 403) { } // the namespace started terminating meanwhile
        }, log);
        namespaces.AddEventHandler(new ResourceEventHandler<Namespace>
        {
            Added = (n, _) => workers.Enqueue(n.Metadata!.Name!),
            Updated = (_, n) => workers.Enqueue(n.Metadata!.Name!),
        });
        accounts.AddEventHandler(new ResourceEventHandler<ServiceAccount>
        {
            Deleted = (sa, _) => { if (sa.Metadata?.Name == DefaultName) workers.Enqueue(sa.Metadata.Namespace!); },
        });
        informers.Start(ct);
        await informers.WaitForCacheSyncAsync(ct);
        await workers.RunAsync(1, ct);
    }
}
