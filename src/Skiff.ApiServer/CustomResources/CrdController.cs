using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Serialization;
using Skiff.Storage;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// The CRD controllers of upstream's apiextensions server, in the API server process: watches the
/// stored CustomResourceDefinitions and, for each, accepts its names (NamesAccepted, or a NameConflict
/// with another CRD of the group), serves its versions in the <see cref="ResourceRegistry"/> and marks
/// it Established; for a CRD being deleted, sets Terminating, deletes every instance, then removes the
/// cleanup finalizer so the CRD goes, and stops serving it. One worker; a CRD whose instances are still
/// held by finalizers is retried every second.
/// </summary>
public sealed class CrdController(ObjectRegistry objects, ILogger log)
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    // What each CRD is served from (its spec and accepted names), so a status-only change does not
    // rebuild its resources. Touched only by the one worker (and LoadAsync before it starts).
    private readonly Dictionary<string, string> _servedFrom = new();
    private ResourceRegistry Resources => objects.Resources;

    private ServedResource Crds => Resources.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        ?? throw new InvalidOperationException("apiextensions.k8s.io/v1 is not served");

    /// <summary>Serves every stored CRD once (so a restarted server serves them before it is ready), then returns.</summary>
    public async Task<long> LoadAsync(CancellationToken ct)
    {
        var all = await objects.ListAsync(Crds, "", new ListOptions(), ct);
        foreach (var crd in all.Items)
        {
            try { await ReconcileAsync(Obj.Name(crd), ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "serving CustomResourceDefinition {Name} failed", Obj.Name(crd));
            }
        }
        return all.Revision;
    }

    public async Task RunAsync(long afterRevision, CancellationToken ct)
    {
        var worker = WorkAsync(ct);
        var revision = afterRevision;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var watch = objects.Store.Watch(Crds.KeyPrefix, revision);
                await foreach (var e in watch.Events.ReadAllAsync(ct))
                {
                    revision = e.Revision;
                    _queue.Writer.TryWrite(e.Value.Key[Crds.KeyPrefix.Length..]);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                // A compacted or broken watch: relist everything and watch again.
                log.LogInformation("CustomResourceDefinition watch restarted: {Reason}", e.Message);
                try { revision = await LoadAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
        await worker;
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var name in _queue.Reader.ReadAllAsync(ct))
            {
                bool done;
                try { done = await ReconcileAsync(name, ct); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "reconciling CustomResourceDefinition {Name} failed; retrying", name);
                    done = false;
                }
                if (!done) _ = RequeueLaterAsync(name, ct);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task RequeueLaterAsync(string name, CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            _queue.Writer.TryWrite(name);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Brings serving and status in line with the stored CRD; false when it must be retried.</summary>
    public async Task<bool> ReconcileAsync(string name, CancellationToken ct)
    {
        var crd = await objects.TryGetAsync(Crds, "", name, ct);
        if (crd is null)
        {
            Resources.RemoveCustom(name);
            _servedFrom.Remove(name);
            return true;
        }
        var model = CrdModel.Parse(crd);
        if (Obj.Str(crd["metadata"], "deletionTimestamp") is not null)
            return await FinishDeletionAsync(crd, model, ct);

        var conflict = NameConflict(model);
        var accepted = conflict is null ? model.Names : AcceptedNames(crd);
        if (conflict is null)
        {
            var from = crd["spec"]!.ToJsonString() + "|" + crd["metadata"]?["uid"];
            if (_servedFrom.GetValueOrDefault(name) != from || Resources.CustomOf(name).Count == 0)
            {
                Resources.SetCustom(name, CustomResourceType.Serve(model, accepted));
                _servedFrom[name] = from;
            }
        }
        var established = conflict is null || Resources.CustomOf(name).Count > 0;

        await WriteStatusAsync(name, status =>
        {
            if (conflict is null) status["acceptedNames"] = Names(model.Names);
            var conditions = status["conditions"] as JsonArray ?? new JsonArray();
            SetCondition(conditions, "NamesAccepted", conflict is null ? "True" : "False",
                conflict is null ? "NoConflicts" : "NameConflict", conflict ?? "no conflicts found");
            if (established)
                SetCondition(conditions, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted");
            else
                SetCondition(conditions, "Established", "False", "NotAccepted", "not all names are accepted");
            status["conditions"] = conditions;
        }, ct);
        return true;
    }

    /// <summary>Upstream's naming controller: plural, singular, short names, kind and list kind must be
    /// unique within the group among CRDs that were accepted before.</summary>
    private string? NameConflict(CrdModel model)
    {
        var others = Resources.All.Where(r => r.Custom is { } c && c.Crd.Group == model.Group && c.Crd.Name != model.Name)
            .Select(r => r.Custom!.Names).Distinct().ToList();
        foreach (var other in others)
        {
            var resources = new[] { other.Plural, other.Singular }.Concat(other.ShortNames).ToHashSet();
            if (resources.Contains(model.Names.Plural)) return $"\"{model.Names.Plural}\" is already in use";
            if (resources.Contains(model.Names.Singular)) return $"\"{model.Names.Singular}\" is already in use";
            foreach (var s in model.Names.ShortNames)
                if (resources.Contains(s)) return $"\"{s}\" is already in use";
            var kinds = new[] { other.Kind, other.ListKind };
            if (kinds.Contains(model.Names.Kind)) return $"\"{model.Names.Kind}\" is already in use";
            if (kinds.Contains(model.Names.ListKind)) return $"\"{model.Names.ListKind}\" is already in use";
        }
        return null;
    }

    private static CrdNames AcceptedNames(JsonObject crd) => CrdNames.Parse(crd["status"]?["acceptedNames"]);

    private async Task<bool> FinishDeletionAsync(JsonObject crd, CrdModel model, CancellationToken ct)
    {
        var name = model.Name;
        await WriteStatusAsync(name, status =>
        {
            var conditions = status["conditions"] as JsonArray ?? new JsonArray();
            SetCondition(conditions, "Terminating", "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress");
            status["conditions"] = conditions;
        }, ct);

        // Instances are deleted through the pipeline (their own finalizers are honoured); while any are
        // left, the CRD stays and this runs again.
        var served = Resources.CustomOf(name).FirstOrDefault();
        if (served is { Custom: { Terminating: false } custom })
        {
            Resources.SetCustom(name, CustomResourceType.Serve(model, custom.Names, terminating: true));
            _servedFrom.Remove(name);
            served = Resources.CustomOf(name).FirstOrDefault();
        }
        if (served is not null)
        {
            var page = await objects.Store.ListAsync(served.KeyPrefix, null, 0, 0, ct);
            foreach (var kv in page.Items)
            {
                var rest = kv.Key[served.KeyPrefix.Length..];
                var slash = rest.IndexOf('/');
                var (ns, objName) = served.Namespaced && slash > 0 ? (rest[..slash], rest[(slash + 1)..]) : ("", rest);
                try { await objects.DeleteAsync(served, ns, objName, new DeleteOptions(), ct); }
                catch (StatusException e) when (e.Code == 404) { }
            }
            if (await objects.Store.CountAsync(served.KeyPrefix, ct) > 0) return false;
        }
        else
        {
            // Not served (never established, or after a restart mid-deletion): delete the stored instances directly.
            var prefix = $"/registry/{model.Group}/{model.Names.Plural}/";
            var page = await objects.Store.ListAsync(prefix, null, 0, 0, ct);
            foreach (var kv in page.Items) await objects.Store.DeleteAsync(kv.Key, 0, ct);
        }

        try
        {
            await objects.UpdateAsync(Crds, "", name, UpdateScope.Main, current =>
            {
                if (current is null) throw StatusException.NotFound(Crds.GroupResource, name);
                if (Obj.Meta(current)["finalizers"] is JsonArray finalizers)
                    foreach (var f in finalizers.Where(f => f is JsonValue v && v.TryGetValue<string>(out var s) && s == CrdModel.CleanupFinalizer).ToList())
                        finalizers.Remove(f);
                Obj.Meta(current)["resourceVersion"] = null;
                return current;
            }, dryRun: false, ct);
        }
        catch (StatusException e) when (e.Code == 404) { }
        if (await objects.TryGetAsync(Crds, "", name, ct) is null)
        {
            Resources.RemoveCustom(name);
            _servedFrom.Remove(name);
            log.LogInformation("CustomResourceDefinition {Name} deleted", name);
            return true;
        }
        // Other finalizers hold the CRD; its instances are gone and stay so.
        return true;
    }

    private async Task WriteStatusAsync(string name, Action<JsonObject> change, CancellationToken ct)
    {
        try
        {
            await objects.UpdateAsync(Crds, "", name, UpdateScope.Status, current =>
            {
                if (current is null) throw StatusException.NotFound(Crds.GroupResource, name);
                if (current["status"] is not JsonObject status) current["status"] = status = new JsonObject();
                change(status);
                Obj.Meta(current)["resourceVersion"] = null;
                return current;
            }, dryRun: false, ct);
        }
        catch (StatusException e) when (e.Code == 404) { }
    }

    private static JsonObject Names(CrdNames n)
    {
        var o = new JsonObject { ["plural"] = n.Plural, ["singular"] = n.Singular };
        if (n.ShortNames.Count > 0) o["shortNames"] = new JsonArray(n.ShortNames.Select(s => (JsonNode?)s).ToArray());
        o["kind"] = n.Kind;
        o["listKind"] = n.ListKind;
        if (n.Categories.Count > 0) o["categories"] = new JsonArray(n.Categories.Select(s => (JsonNode?)s).ToArray());
        return o;
    }

    /// <summary>Sets a condition, keeping its lastTransitionTime unless its status changes.</summary>
    public static void SetCondition(JsonArray conditions, string type, string status, string reason, string message)
    {
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => Obj.Str(c, "type") == type);
        var transition = existing is not null && Obj.Str(existing, "status") == status
            ? Obj.Str(existing, "lastTransitionTime") ?? Obj.Now()
            : Obj.Now();
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastTransitionTime"] = transition,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (existing is null) conditions.Add((JsonNode)condition);
        else conditions[conditions.IndexOf(existing)] = condition;
    }
}
