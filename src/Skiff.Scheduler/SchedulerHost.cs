using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Events;
using Skiff.Client.Informers;
using Skiff.Scheduler.Binding;
using Skiff.Scheduler.Cache;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Profiles;
using Skiff.Scheduler.Queue;
using Pdb = Skiff.Api.Models.Policy.V1.PodDisruptionBudget;
using PdbList = Skiff.Api.Models.Policy.V1.PodDisruptionBudgetList;
using StorageClass = Skiff.Api.Models.Storage.V1.StorageClass;
using StorageClassList = Skiff.Api.Models.Storage.V1.StorageClassList;

namespace Skiff.Scheduler;

/// <summary>
/// The scheduler as a component: campaigns for the kube-system/kube-scheduler lease, and while leading
/// runs informers (pods, nodes, namespaces, claims, volumes, storage classes, budgets) that feed the cache
/// and the queue, the scheduling loop, and the event writer. Losing the lease stops everything; winning it
/// again starts from fresh caches. Watches that drop (an API server restart) resume or relist inside the
/// informers, so no pending pod is lost. One <see cref="RunAsync"/> per instance.
/// </summary>
public sealed class SchedulerHost(KubeClient client, SchedulerOptions options, ILoggerFactory loggers, string identity)
{
    private readonly ILogger _log = loggers.CreateLogger("scheduler");

    /// <summary>The scheduler of the current leadership term (null when not leading); for tests and benchmarks.</summary>
    public Scheduler? Current { get; private set; }
    public SchedulerCache? Cache { get; private set; }
    public SchedulingQueue? Queue { get; private set; }

    /// <summary>Raised once the caches have synced and the loop is about to start.</summary>
    public event Action<Scheduler>? Started;

    /// <summary>Schedules while holding the kube-system lease (or always, without leader election), until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (options.LeaderElectionLease is not { Length: > 0 } lease)
        {
            await RunLeadingAsync(ct);
            return;
        }
        var leaseLock = new Skiff.Client.LeaderElection.LeaseLock(client.Leases, "kube-system", lease);
        // Campaign again after every loss of leadership, as kube-scheduler's run loop does.
        while (!ct.IsCancellationRequested)
        {
            var elector = new Skiff.Client.LeaderElection.LeaderElector(new Skiff.Client.LeaderElection.LeaderElectionConfig
            {
                Identity = identity,
                OnStartedLeading = RunLeadingAsync,
            }, leaseLock, _log);
            await elector.RunAsync(ct);
        }
    }

    private async Task RunLeadingAsync(CancellationToken ct)
    {
        var names = options.Profiles.Select(p => p.SchedulerName).ToHashSet(StringComparer.Ordinal);
        await using var factory = new SharedInformerFactory(client, SharedInformerOptions.Default, loggers);
        var pods = factory.For<Pod, PodList>();
        var nodes = factory.For<Node, NodeList>();
        var lister = new InformerClusterLister(
            factory.For<Namespace, NamespaceList>(),
            factory.For<PersistentVolumeClaim, PersistentVolumeClaimList>(),
            factory.For<PersistentVolume, PersistentVolumeList>(),
            factory.For<StorageClass, StorageClassList>(),
            factory.For<Pdb, PdbList>());
        var api = new ClientSchedulerApi(client);
        var component = options.Profiles[0].SchedulerName;
        var recorder = new CoreEventRecorder(new ApiCoreEventSink(client),
            new CoreEventRecorderOptions { Component = component, ReportingInstance = component + "-" + Environment.MachineName, QueueCapacity = 4096 },
            loggers.CreateLogger("scheduler.events"));
        var events = new ClientEventRecorder(recorder);

        var pluginEvents = new Dictionary<string, IReadOnlyList<ClusterEvent>>(StringComparer.Ordinal);
        var cache = new SchedulerCache();
        SchedulingQueue? queue = null;
        queue = new SchedulingQueue(options.Queue, null, plugin => pluginEvents.GetValueOrDefault(plugin));
        var profiles = ProfileFactory.BuildAll(options, new PluginHandle(lister, api, events, queue));
        foreach (var fw in profiles.Values)
            foreach (var (plugin, evs) in fw.EnqueueExtensions) pluginEvents[plugin] = evs;

        var handlers = new InformerEventHandlers(cache, queue, names);
        pods.AddEventHandler(handlers.Pods);
        nodes.AddEventHandler(handlers.Nodes);
        factory.For<PersistentVolumeClaim, PersistentVolumeClaimList>().AddEventHandler(handlers.For<PersistentVolumeClaim>(EventResource.PersistentVolumeClaim));
        factory.For<PersistentVolume, PersistentVolumeList>().AddEventHandler(handlers.For<PersistentVolume>(EventResource.PersistentVolume));
        factory.For<StorageClass, StorageClassList>().AddEventHandler(handlers.For<StorageClass>(EventResource.StorageClass));
        factory.Start(ct);
        await factory.WaitForCacheSyncAsync(ct).ConfigureAwait(false);

        var scheduler = new Scheduler(cache, queue, profiles, api, events,
            p => pods.Store.Get(p.Namespace, p.Name), options, loggers.CreateLogger("scheduler.loop"));
        (Current, Cache, Queue) = (scheduler, cache, queue);
        _log.LogInformation("Scheduler synced: {Nodes} nodes, {Pods} placed pods, {Pending} pending; profiles {Profiles}",
            cache.NodeCount, cache.PodCount, queue.Count, string.Join(", ", names));
        Started?.Invoke(scheduler);
        try
        {
            await Task.WhenAll(queue.RunAsync(ct), recorder.RunAsync(ct), scheduler.RunAsync(ct)).ConfigureAwait(false);
        }
        finally { (Current, Cache, Queue) = (null, null, null); }
    }
}
