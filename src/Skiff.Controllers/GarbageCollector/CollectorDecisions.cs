using Microsoft.Extensions.Logging;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// What the collector does for one queued node, as upstream's attemptToDeleteItem and
/// attemptToOrphan: check the object and its owners against the API server, then delete it,
/// drop its dangling owner references, or (for an owner) orphan its dependents or finish a
/// foreground deletion. Each method is one idempotent step; a failure throws and the caller
/// retries with backoff.
/// </summary>
public sealed class CollectorDecisions(DependencyGraph graph, IGarbageCollectorApi api, ILogger log)
{
    /// <summary>Decides on a node queued for deletion checks.</summary>
    public async Task AttemptToDeleteAsync(GraphNode item, CancellationToken ct)
    {
        // Someone else is deleting it (its own finalizers hold it); a foreground owner is ours to finish.
        if (item.BeingDeleted && !item.DeletingDependents) return;
        if (!api.IsKnown(item.Identity.ApiVersion, item.Identity.Kind)) return;

        var latest = await api.GetAsync(item.Identity, ct);
        if (latest is null || latest.Identity.Uid != item.Identity.Uid)
        {
            // Not there (any more, or never was, for a virtual owner): as good as deleted.
            log.LogDebug("gc: {Item} is absent", item);
            graph.Remove(item.Identity.Uid);
            return;
        }
        if (item.IsVirtual)
        {
            // The owner exists; its informer will report it. Nothing to collect.
            return;
        }
        if (item.DeletingDependents)
        {
            await FinishForegroundAsync(item, ct);
            return;
        }
        if (latest.Owners.Count == 0) return;

        var solid = new List<OwnerReference>();
        var dangling = new List<OwnerReference>();
        var waiting = new List<OwnerReference>();
        foreach (var owner in latest.Owners)
        {
            if (!api.IsKnown(owner.ApiVersion, owner.Kind)) { solid.Add(owner); continue; }
            var ns = api.IsNamespaced(owner.ApiVersion, owner.Kind) ? latest.Identity.Namespace : "";
            var current = await api.GetAsync(new ObjectIdentity(owner.ApiVersion, owner.Kind, ns, owner.Name, owner.Uid), ct);
            if (current is null || current.Identity.Uid != owner.Uid) dangling.Add(owner);
            else if (current.BeingDeleted && current.HasFinalizer(ObjectMetadata.ForegroundFinalizer)) waiting.Add(owner);
            else solid.Add(owner);
        }

        if (solid.Count > 0)
        {
            // Still owned: only forget the owners that are gone or going in the foreground.
            if (dangling.Count == 0 && waiting.Count == 0) return;
            var uids = dangling.Concat(waiting).Select(o => o.Uid).ToList();
            log.LogInformation("gc: removing dangling owner references {Owners} from {Item}", string.Join(",", uids), item);
            await api.RemoveOwnerReferencesAsync(latest.Identity, uids, ct);
            return;
        }
        if (waiting.Count > 0 && graph.Dependents(item).Count > 0)
        {
            // Its owner waits for it in the foreground, and it has dependents of its own: delete it in
            // the foreground too, and unblock the owner where a cycle could otherwise wait forever.
            if (graph.Dependents(item).Any(d => d.DeletingDependents))
                await api.UnblockOwnerReferencesAsync(latest.Identity, waiting.Select(o => o.Uid).ToList(), ct);
            log.LogInformation("gc: deleting {Item} in the foreground (its owner waits for it)", item);
            await api.DeleteAsync(latest.Identity, "Foreground", ct);
            return;
        }
        var policy = latest.HasFinalizer(ObjectMetadata.OrphanFinalizer) ? "Orphan"
            : latest.HasFinalizer(ObjectMetadata.ForegroundFinalizer) ? "Foreground" : "Background";
        log.LogInformation("gc: deleting {Item} (propagation {Policy}): its owners are gone", item, policy);
        await api.DeleteAsync(latest.Identity, policy, ct);
    }

    /// <summary>A foreground deletion ends when no dependent blocks it: the finalizer goes and the object with it.</summary>
    private async Task FinishForegroundAsync(GraphNode item, CancellationToken ct)
    {
        var blocking = graph.BlockingDependents(item);
        if (blocking.Count == 0)
        {
            log.LogInformation("gc: {Item} has no blocking dependents left; removing the foregroundDeletion finalizer", item);
            await api.RemoveFinalizerAsync(item.Identity, ObjectMetadata.ForegroundFinalizer, ct);
            return;
        }
        // Delete what blocks it; each dependent's removal brings the owner back here.
        foreach (var d in blocking.Where(d => !d.DeletingDependents)) graph.AttemptToDelete(d);
    }

    /// <summary>An owner deleted with propagationPolicy=Orphan: its dependents lose the reference, then it loses the finalizer.</summary>
    public async Task AttemptToOrphanAsync(GraphNode owner, CancellationToken ct)
    {
        foreach (var d in graph.Dependents(owner))
            await api.RemoveOwnerReferencesAsync(d.Identity, [owner.Identity.Uid], ct);
        log.LogInformation("gc: orphaned the dependents of {Owner}", owner);
        await api.RemoveFinalizerAsync(owner.Identity, ObjectMetadata.OrphanFinalizer, ct);
    }
}
