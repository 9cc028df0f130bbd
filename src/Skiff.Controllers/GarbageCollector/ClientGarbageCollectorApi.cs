using System.Text.Json.Nodes;
using Skiff.Client;
using Skiff.Client.Rest;
using Skiff.Controllers.Common;
using DeleteOptions = Skiff.Api.Models.Meta.V1.DeleteOptions;
using Preconditions = Skiff.Api.Models.Meta.V1.Preconditions;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// <see cref="IGarbageCollectorApi"/> over Skiff.Client: reads and writes through the API server,
/// kinds resolved through discovery. Writes use JSON merge patches carrying the resourceVersion
/// they were computed from, so a concurrent change makes them fail and be retried. Thread-safe.
/// </summary>
internal sealed class ClientGarbageCollectorApi(KubeClient client, Func<ServedResources> served) : IGarbageCollectorApi
{
    public bool IsKnown(string apiVersion, string kind) => served().ForKind(apiVersion, kind) is not null;

    public bool IsNamespaced(string apiVersion, string kind) => served().ForKind(apiVersion, kind)?.Namespaced ?? true;

    private Skiff.Client.Typed.ResourceClient<JsonObject> For(ObjectIdentity id) =>
        client.Dynamic(served().ForKind(id.ApiVersion, id.Kind) ?? throw new InvalidOperationException($"{id.ApiVersion} {id.Kind} is not served"));

    private static string? Ns(ObjectIdentity id) => id.Namespace.Length == 0 ? null : id.Namespace;

    public async Task<ObjectMetadata?> GetAsync(ObjectIdentity id, CancellationToken ct)
    {
        var obj = await For(id).TryGetAsync(Ns(id), id.Name, ct);
        return obj is null ? null : ObjectMetadata.FromJson(obj, id.ApiVersion, id.Kind);
    }

    public async Task DeleteAsync(ObjectIdentity id, string propagationPolicy, CancellationToken ct)
    {
        try
        {
            await For(id).DeleteAsync(Ns(id), id.Name, new DeleteOptions
            {
                PropagationPolicy = propagationPolicy,
                Preconditions = new Preconditions { Uid = id.Uid },
            }, ct);
        }
        catch (ApiException e) when (e.Code == 404) { }
    }

    public Task RemoveOwnerReferencesAsync(ObjectIdentity id, IReadOnlyCollection<string> ownerUids, CancellationToken ct) =>
        EditMetadataAsync(id, meta =>
        {
            if (meta["ownerReferences"] is not JsonArray refs) return false;
            var keep = refs.OfType<JsonObject>().Where(r => !ownerUids.Contains(r["uid"]?.GetValue<string>() ?? "")).Select(r => r.DeepClone()).ToArray();
            if (keep.Length == refs.Count) return false;
            meta["ownerReferences"] = keep.Length == 0 ? null : new JsonArray(keep);
            return true;
        }, ct);

    public Task UnblockOwnerReferencesAsync(ObjectIdentity id, IReadOnlyCollection<string> ownerUids, CancellationToken ct) =>
        EditMetadataAsync(id, meta =>
        {
            if (meta["ownerReferences"] is not JsonArray refs) return false;
            var changed = false;
            var updated = refs.OfType<JsonObject>().Select(r =>
            {
                var c = r.DeepClone().AsObject();
                if (ownerUids.Contains(c["uid"]?.GetValue<string>() ?? "") && c["blockOwnerDeletion"]?.GetValue<bool>() == true)
                {
                    c["blockOwnerDeletion"] = false;
                    changed = true;
                }
                return (JsonNode)c;
            }).ToArray();
            if (changed) meta["ownerReferences"] = new JsonArray(updated);
            return changed;
        }, ct);

    public Task RemoveFinalizerAsync(ObjectIdentity id, string finalizer, CancellationToken ct) =>
        EditMetadataAsync(id, meta =>
        {
            if (meta["finalizers"] is not JsonArray fs || !fs.Any(f => f?.GetValue<string>() == finalizer)) return false;
            var keep = fs.Where(f => f?.GetValue<string>() != finalizer).Select(f => f!.DeepClone()).ToArray();
            meta["finalizers"] = keep.Length == 0 ? null : new JsonArray(keep);
            return true;
        }, ct);

    /// <summary>Reads the object, lets <paramref name="edit"/> change a copy of its metadata, and merge-patches the
    /// changed fields with the resourceVersion read (a conflict throws; the queue retries). Absent: nothing to do.</summary>
    private async Task EditMetadataAsync(ObjectIdentity id, Func<JsonObject, bool> edit, CancellationToken ct)
    {
        var resource = For(id);
        var obj = await resource.TryGetAsync(Ns(id), id.Name, ct);
        if (obj?["metadata"] is not JsonObject meta || meta["uid"]?.GetValue<string>() != id.Uid) return;
        var patchMeta = new JsonObject { ["resourceVersion"] = meta["resourceVersion"]?.DeepClone() };
        var copy = new JsonObject
        {
            ["ownerReferences"] = meta["ownerReferences"]?.DeepClone(),
            ["finalizers"] = meta["finalizers"]?.DeepClone(),
        };
        if (!edit(copy)) return;
        foreach (var (k, v) in copy)
            if (!JsonNode.DeepEquals(v, meta[k])) patchMeta[k] = v?.DeepClone();
        var patch = new JsonObject { ["metadata"] = patchMeta }.ToJsonString();
        try
        {
            await resource.PatchAsync(Ns(id), id.Name, PatchType.Merge, patch, ct: ct);
        }
        catch (ApiException e) when (e.Code == 404) { }
    }
}
