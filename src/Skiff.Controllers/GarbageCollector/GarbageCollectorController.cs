using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Client;
using Skiff.Client.Informers;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// The garbage collector (upstream's garbagecollector controller): watches the metadata of every
/// resource that can be listed, watched and deleted, keeps the ownership graph, and deletes
/// objects whose owners are all gone (Background), orphans the dependents of owners deleted
/// with propagationPolicy=Orphan, and deletes blocking dependents first for Foreground. New
/// resources (custom resources) are picked up by re-reading discovery every
/// <see cref="DiscoveryPeriod"/>. Run once per cluster (leader-elected with the other controllers).
/// </summary>
public sealed class GarbageCollectorController(KubeClient client, ILoggerFactory loggers)
{
    /// <summary>How often discovery is re-read for new resources.</summary>
    public TimeSpan DiscoveryPeriod { get; init; } = TimeSpan.FromSeconds(15);
    public int DeleteWorkers { get; init; } = 2;

    // Upstream's collector leaves events alone: they are many, short-lived and never owned.
    private static readonly HashSet<(string Group, string Resource)> Ignored = [("", "events"), ("events.k8s.io", "events")];

    private readonly ILogger _log = loggers.CreateLogger("garbage-collector");
    private readonly Dictionary<(string Group, string Resource), SharedInformer<JsonObject>> _informers = new();
    private volatile ServedResources? _served;

    /// <summary>Objects the graph holds (for tests and metrics).</summary>
    public int GraphSize => _graph?.Count ?? 0;
    private DependencyGraph? _graph;

    public async Task RunAsync(CancellationToken ct)
    {
        var api = new ClientGarbageCollectorApi(client, () => _served!);
        _served = await ReadDiscoveryAsync(ct);
        KeyedWorkers<GraphNode>? deletes = null, orphans = null;
        var graph = _graph = new DependencyGraph(n => deletes!.Enqueue(n), n => orphans!.Enqueue(n), api.IsNamespaced);
        var decisions = new CollectorDecisions(graph, api, _log);
        deletes = new KeyedWorkers<GraphNode>("garbage-collector", decisions.AttemptToDeleteAsync, _log);
        orphans = new KeyedWorkers<GraphNode>("garbage-collector orphaning", decisions.AttemptToOrphanAsync, _log);

        StartInformers(graph, ct);
        await Task.WhenAll(_informers.Values.Select(i => i.WaitForCacheSyncAsync(ct)));
        _log.LogInformation("Garbage collector synced: {Resources} resources, {Objects} objects", _informers.Count, graph.Count);

        var workers = Task.WhenAll(deletes.RunAsync(DeleteWorkers, ct), orphans.RunAsync(1, ct));
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(DiscoveryPeriod, ct);
                try
                {
                    _served = await ServedResources.ReadAsync(client.Connection, ct);
                    StartInformers(graph, ct);
                    await StopRemovedInformersAsync();
                }
                catch (Exception e) when (e is ApiException or HttpRequestException)
                {
                    _log.LogWarning("Garbage collector could not re-read discovery: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            await workers; // they stop with ct

            foreach (var i in _informers.Values) await i.DisposeAsync();
        }
    }

    private async Task<ServedResources> ReadDiscoveryAsync(CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return await ServedResources.ReadAsync(client.Connection, ct); }
            catch (Exception e) when (e is ApiException or HttpRequestException && attempt < 30)
            {
                _log.LogWarning("Garbage collector waiting for discovery: {Error}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <summary>One metadata informer per group/resource (its preferred version) that supports list, watch and delete.</summary>
    private void StartInformers(DependencyGraph graph, CancellationToken ct)
    {
        foreach (var (resource, verbs, preferred) in _served!.All)
        {
            if (!preferred || Ignored.Contains((resource.Group, resource.Plural))) continue;
            if (!(verbs.Contains("list") && verbs.Contains("watch") && verbs.Contains("delete"))) continue;
            if (_informers.ContainsKey((resource.Group, resource.Plural))) continue;
            var informer = new SharedInformer<JsonObject>(new ResourceClient<JsonObject>(client.Connection, resource, MetadataOnlyCodec.Instance),
                null, SharedInformerOptions.Default, loggers.CreateLogger($"garbage-collector.{resource.Plural}"));
            var apiVersion = resource.ApiVersion;
            var kind = resource.Kind;
            informer.AddEventHandler(new ResourceEventHandler<JsonObject>
            {
                Added = (o, _) => graph.Observe(ObjectMetadata.FromJson(o, apiVersion, kind)),
                Updated = (_, o) => graph.Observe(ObjectMetadata.FromJson(o, apiVersion, kind)),
                Deleted = (o, _) => { if (o["metadata"]?["uid"]?.GetValue<string>() is { } uid) graph.Remove(uid); },
            });
            _informers[(resource.Group, resource.Plural)] = informer;
            informer.Start(ct);
        }
    }

    /// <summary>A resource no longer served (its CRD deleted) stops being watched; its objects are gone with it.</summary>
    private async Task StopRemovedInformersAsync()
    {
        var served = _served!.All.Where(r => r.Preferred).Select(r => (r.Resource.Group, r.Resource.Plural)).ToHashSet();
        foreach (var key in _informers.Keys.Where(k => !served.Contains(k)).ToList())
        {
            await _informers[key].DisposeAsync();
            _informers.Remove(key);
            _log.LogInformation("Garbage collector stopped watching {Group}/{Resource}: no longer served", key.Group, key.Resource);
        }
    }
}
