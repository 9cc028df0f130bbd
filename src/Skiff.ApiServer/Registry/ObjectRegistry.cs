using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Skiff.Api.Meta;
using Skiff.Api.Validation;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Serialization;
using Skiff.Storage;

namespace Skiff.ApiServer.Registry;

/// <summary>Who makes a write, for metadata.managedFields (null manager: the write is not tracked, e.g. apply sets its own).</summary>
public sealed record FieldManagerInfo(string Manager);

/// <summary>Which part of an object a write may change.</summary>
public enum UpdateScope
{
    Main,
    Status,
    EphemeralContainers,
    /// <summary>pods/binding: the server's own write of spec.nodeName and the PodScheduled condition together.</summary>
    Binding,
    /// <summary>The scale subresource: a main-resource write (replicas) recorded in managedFields under "scale".</summary>
    Scale,
}

public static class UpdateScopes
{
    /// <summary>The subresource a scope writes through, as recorded in managedFields.</summary>
    public static string? Subresource(this UpdateScope scope) => scope switch
    {
        UpdateScope.Status => "status",
        UpdateScope.EphemeralContainers => "ephemeralcontainers",
        UpdateScope.Scale => "scale",
        _ => null,
    };
}

/// <summary>Options of a delete (metav1.DeleteOptions).</summary>
public sealed record DeleteOptions
{
    public long? GracePeriodSeconds { get; init; }
    public string? PropagationPolicy { get; init; }
    /// <summary>The deprecated boolean form of the policy (true: Orphan, false: Background).</summary>
    public bool? OrphanDependents { get; init; }
    public string? PreconditionUid { get; init; }
    public string? PreconditionResourceVersion { get; init; }
    public bool DryRun { get; init; }

    /// <summary>These options overridden by what a DeleteOptions body (of a delete, or inside an Eviction) sets.</summary>
    public DeleteOptions WithBody(JsonObject? body) => body is null ? this : this with
    {
        GracePeriodSeconds = body["gracePeriodSeconds"]?.GetValue<long>() ?? GracePeriodSeconds,
        PropagationPolicy = Obj.Str(body, "propagationPolicy") ?? PropagationPolicy,
        OrphanDependents = body["orphanDependents"] is JsonValue v && v.TryGetValue<bool>(out var orphan) ? orphan : OrphanDependents,
        PreconditionUid = Obj.Str(body["preconditions"], "uid"),
        PreconditionResourceVersion = Obj.Str(body["preconditions"], "resourceVersion"),
        DryRun = DryRun || body["dryRun"] is JsonArray { Count: > 0 },
    };
}

/// <summary>
/// The generic object store behind every resource, as upstream's registry Store: the fixed
/// pipeline of metadata rules, per-kind policy, validation and the compare-and-swap writes over
/// <see cref="IStore"/>. It knows nothing of HTTP. Thread-safe.
/// </summary>
public sealed class ObjectRegistry(IStore store, ResourceRegistry resources, Func<ServedResource, JsonObject, IReadOnlyList<FieldError>> validate,
    Services.ServiceAllocator? serviceAllocator = null)
{
    private static readonly GroupResource NamespacesGr = new("", "namespaces");
    private static readonly GroupResource ServicesGr = new("", "services");

    public Services.ServiceAllocator? ServiceAllocator => serviceAllocator;

    /// <summary>Upstream's scheme defaults (and, for Services, the IP family fields the service storage fills in).</summary>
    private static void ApplyDefaults(ServedResource r, JsonObject obj, JsonObject? old)
    {
        Skiff.Api.Defaulting.Defaulter.Apply(r.Group, r.Version, r.Kind, obj);
        if (r.GroupResource == ServicesGr) Skiff.Api.Defaulting.ServiceIPFamilies.Apply(obj, old, ["IPv4"]);
    }

    /// <summary>Records the writer's fields in metadata.managedFields, as upstream's field manager does for every non-apply write.</summary>
    private static void TrackFields(ServedResource r, JsonObject? live, JsonObject obj, FieldManagerInfo? manager, UpdateScope scope)
    {
        if (manager is null) return;
        var schema = r.Info.Definition is { } d ? Skiff.Api.Schema.SchemaExtensions.Find(d) : null;
        try
        {
            Skiff.Api.FieldManagement.ManagedFields.Update(live, obj, schema, manager.Manager, r.ApiVersion, DateTimeOffset.UtcNow,
                scope.Subresource(), IgnoredFields(r, scope));
        }
        catch (Skiff.Api.FieldManagement.ApplyException e)
        {
            throw StatusException.BadRequest(e.Message);
        }
    }

    /// <summary>The fields an endpoint resets and so never records as owned: status on the main resource, spec on /status.</summary>
    public static Skiff.Api.FieldManagement.FieldSet? IgnoredFields(ServedResource r, UpdateScope scope) =>
        !r.HasStatus || scope == UpdateScope.EphemeralContainers ? null
        : Skiff.Api.FieldManagement.FieldSet.Of(Skiff.Api.FieldManagement.FieldPath.Of(scope == UpdateScope.Status ? "spec" : "status"));

    /// <summary>Rebuilds the allocators from what is stored; call once before serving.</summary>
    public async Task LoadAllocationsAsync(CancellationToken ct)
    {
        if (serviceAllocator is null || resources.Find("", "v1", "services") is not { } services) return;
        var all = await ListAsync(services, "", new ListOptions(), ct);
        serviceAllocator.Load(all.Items);
    }

    /// <summary>Reserves a Service's ClusterIP and node ports (others: nothing); 422 when a requested one is taken.</summary>
    private void Allocate(ServedResource r, JsonObject obj, JsonObject? old)
    {
        if (serviceAllocator is null || r.GroupResource != ServicesGr) return;
        var errors = serviceAllocator.Allocate(obj, old);
        if (errors.Count > 0) throw StatusException.Invalid(r.Group, r.Kind, Obj.Name(obj), errors);
    }

    /// <summary>Frees what <paramref name="obj"/> holds beyond <paramref name="keep"/>.</summary>
    private void Release(ServedResource r, JsonObject obj, JsonObject? keep)
    {
        if (serviceAllocator is not null && r.GroupResource == ServicesGr) serviceAllocator.Release(obj, keep);
    }

    public IStore Store => store;
    public ResourceRegistry Resources => resources;

    /// <summary>Raised after a namespace was marked for deletion (its contents must be removed).</summary>
    public event Action<string>? NamespaceTerminating;

    // ---- reading -------------------------------------------------------------------------

    public JsonObject Decode(ServedResource r, KeyValue kv)
    {
        var o = JsonNode.Parse(kv.Value)!.AsObject();
        o["apiVersion"] = r.ApiVersion;
        o["kind"] ??= r.Kind;
        Obj.Meta(o)["resourceVersion"] = kv.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return o;
    }

    public async Task<JsonObject> GetAsync(ServedResource r, string ns, string name, CancellationToken ct)
    {
        var kv = await store.GetAsync(r.Key(ns, name), 0, ct);
        return kv is null ? throw StatusException.NotFound(r.GroupResource, name) : Decode(r, kv);
    }

    public async Task<JsonObject?> TryGetAsync(ServedResource r, string ns, string name, CancellationToken ct)
    {
        var kv = await store.GetAsync(r.Key(ns, name), 0, ct);
        return kv is null ? null : Decode(r, kv);
    }

    /// <summary>Whether the object matches the selectors of a list or watch.</summary>
    public static bool Matches(ServedResource r, JsonObject o, ListOptions opts)
    {
        if (!opts.LabelSelector.IsEmpty && !opts.LabelSelector.Matches(Obj.Labels(o))) return false;
        if (!opts.FieldSelector.IsEmpty && !opts.FieldSelector.Matches(f => FieldLabel(o, f))) return false;
        return true;
    }

    private static string? FieldLabel(JsonObject o, string field) => field switch
    {
        "source" => Obj.FieldValue(o, "source.component"),
        "status.podIPs" => Obj.FieldValue(o, "status.podIP"),
        "spec.hostNetwork" => Obj.FieldValue(o, "spec.hostNetwork") ?? "false",
        "spec.unschedulable" => Obj.FieldValue(o, "spec.unschedulable") ?? "false",
        "status.successful" or "status.replicas" => Obj.FieldValue(o, field) ?? "0",
        _ => Obj.FieldValue(o, field),
    };

    /// <summary>Checks that every field-selector term names a supported field label.</summary>
    public static void CheckFieldSelector(ServedResource r, ListOptions opts)
    {
        foreach (var req in opts.FieldSelector.Requirements)
        {
            if (req.Field is "metadata.name" or "metadata.namespace") continue;
            if (!r.Policy.ExtraFieldLabels.Contains(req.Field))
                throw StatusException.BadRequest($"field label not supported: {req.Field}");
        }
    }

    public async Task<ListPage> ListAsync(ServedResource r, string ns, ListOptions opts, CancellationToken ct)
    {
        CheckFieldSelector(r, opts);
        var prefix = r.ListPrefix(ns);
        long revision = 0;
        string? start = null;
        var limit = opts.Limit;
        if (!string.IsNullOrEmpty(opts.Continue))
        {
            if (!ContinueToken.TryDecode(opts.Continue, out revision, out var suffix))
                throw StatusException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
            if (opts.ResourceVersion is { Length: > 0 })
                throw StatusException.BadRequest("specifying resource version is not allowed when using continue");
            start = prefix + suffix;
        }
        else if (opts.ResourceVersion is { Length: > 0 } rvText && rvText != "0")
        {
            if (!long.TryParse(rvText, out var rv) || rv < 0)
                throw StatusException.BadRequest($"invalid resource version: {rvText}");
            if (rv > store.CurrentRevision)
                throw StatusException.Timeout($"Too large resource version: {rv}, current: {store.CurrentRevision}");
            // An exact version, or any version with a limit, reads the snapshot at that revision.
            if (opts.ResourceVersionMatch == "Exact" || (opts.ResourceVersionMatch == "" && limit > 0))
                revision = rv;
        }
        else if (opts.ResourceVersion == "0")
        {
            limit = 0; // served as from a cache: the whole list
        }

        var items = new List<JsonObject>();
        var filtered = !opts.LabelSelector.IsEmpty || !opts.FieldSelector.IsEmpty;
        string? next = null;
        long? remaining = null;
        try
        {
            while (true)
            {
                var want = limit > 0 ? limit - items.Count : 0;
                var page = await store.ListAsync(prefix, start, want, revision, ct);
                revision = page.Revision;
                foreach (var kv in page.Items)
                {
                    var o = Decode(r, kv);
                    if (!filtered || Matches(r, o, opts)) items.Add(o);
                }
                if (!page.More || page.Items.Count == 0) break;
                var lastKey = page.Items[^1].Key;
                if (limit > 0 && items.Count >= limit)
                {
                    next = ContinueToken.Encode(revision, lastKey[prefix.Length..] + "\0");
                    if (!filtered) remaining = page.Remaining;
                    break;
                }
                start = lastKey + "\0";
            }
        }
        catch (CompactedException e)
        {
            if (!string.IsNullOrEmpty(opts.Continue))
                throw StatusException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            throw StatusException.Gone($"too old resource version: {e.Requested} ({e.Compacted})");
        }
        return new ListPage(items, revision, next, remaining);
    }

    // ---- writing -------------------------------------------------------------------------

    public async Task<JsonObject> CreateAsync(ServedResource r, string ns, JsonObject obj, bool dryRun, CancellationToken ct, FieldManagerInfo? manager = null)
    {
        var meta = Obj.Meta(obj);
        if (r.Namespaced)
        {
            if (ns.Length == 0) throw StatusException.BadRequest("the server could not find the requested resource");
            meta["namespace"] = ns;
            await EnsureNamespaceAcceptsAsync(ns, r, Obj.Name(obj), ct);
        }
        else meta.Remove("namespace");

        PrepareForCreate(r, obj);
        ApplyDefaults(r, obj, null);
        r.Policy.Normalize?.Invoke(obj);
        if (r.GroupResource == Admission.PodPriority.Pods)
        {
            await Admission.ServiceAccountAdmission.AdmitAsync(this, obj, ct);
            await Admission.PodPriority.AdmitAsync(this, obj, ct);
            Admission.DefaultTolerationSeconds.Admit(obj);
        }
        TrackFields(r, null, obj, manager, UpdateScope.Main);
        var generated = Obj.Name(obj).Length == 0 && Obj.Str(meta, "generateName") is { Length: > 0 };
        for (var attempt = 0; ; attempt++)
        {
            if (generated) meta["name"] = Obj.Str(meta, "generateName") + RandomSuffix();
            var errors = validate(r, obj);
            if (errors.Count > 0) throw StatusException.Invalid(r.Group, r.Kind, Obj.Name(obj), errors);
            var name = Obj.Name(obj);
            if (dryRun)
            {
                var existing = await store.GetAsync(r.Key(ns, name), 0, ct);
                if (existing is not null) throw StatusException.AlreadyExists(r.GroupResource, name);
                Allocate(r, obj, null);
                Release(r, obj, null);
                return obj;
            }
            Allocate(r, obj, null);
            WriteResult res;
            try { res = await store.CreateAsync(r.Key(ns, name), Obj.ToUtf8(obj), ct); }
            catch { Release(r, obj, null); throw; }
            if (res.Succeeded) return Decode(r, res.Current!);
            Release(r, obj, null);
            if (generated && attempt < 5) continue;
            throw StatusException.AlreadyExists(r.GroupResource, name);
        }
    }

    private async Task EnsureNamespaceAcceptsAsync(string ns, ServedResource r, string name, CancellationToken ct)
    {
        var nsResource = resources.Find("", "v1", "namespaces")!;
        var kv = await store.GetAsync(nsResource.Key("", ns), 0, ct);
        if (kv is null) throw StatusException.NotFound(NamespacesGr, ns);
        var nsObj = JsonNode.Parse(kv.Value)!.AsObject();
        if (Obj.Str(nsObj["metadata"], "deletionTimestamp") is not null)
            throw StatusException.Forbidden(r.GroupResource, name, $"unable to create new content in namespace {ns} because it is being terminated");
    }

    private static void PrepareForCreate(ServedResource r, JsonObject obj)
    {
        var meta = Obj.Meta(obj);
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Obj.Now();
        meta.Remove("resourceVersion");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("selfLink");
        if (r.Policy.TracksGeneration) meta["generation"] = 1;
        else meta.Remove("generation");
        if (r.HasStatus && !r.Policy.KeepsStatusOnCreate)
            obj["status"] = JsonNode.Parse(r.Policy.InitialStatusJson);
        obj["apiVersion"] = r.ApiVersion;
        obj["kind"] = r.Kind;
    }

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> s = stackalloc char[5];
        for (var i = 0; i < s.Length; i++) s[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return new string(s);
    }

    /// <summary>
    /// Read-modify-write with optimistic concurrency, as upstream's GuaranteedUpdate:
    /// <paramref name="tryUpdate"/> gets the current object (null if absent) and returns the
    /// desired one. A resourceVersion in the desired object is a precondition (409 on mismatch);
    /// without one the update is retried on races.
    /// </summary>
    public async Task<(JsonObject Object, bool Created)> UpdateAsync(ServedResource r, string ns, string name, UpdateScope scope,
        Func<JsonObject?, JsonObject> tryUpdate, bool dryRun, CancellationToken ct, FieldManagerInfo? manager = null)
    {
        var key = r.Key(ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await store.GetAsync(key, 0, ct);
            if (kv is null)
            {
                if (!r.Policy.AllowCreateOnUpdate || scope != UpdateScope.Main) throw StatusException.NotFound(r.GroupResource, name);
                var fresh = tryUpdate(null);
                if (Obj.Str(fresh["metadata"], "resourceVersion") is { Length: > 0 })
                    throw StatusException.NotFound(r.GroupResource, name);
                return (await CreateAsync(r, ns, fresh, dryRun, ct, manager), true);
            }
            var current = Decode(r, kv);
            var desired = tryUpdate(current.DeepClone().AsObject());
            var desiredMeta = Obj.Meta(desired);
            var rv = Obj.Str(desiredMeta, "resourceVersion");
            var conditional = !string.IsNullOrEmpty(rv);
            if (conditional && rv != kv.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture))
                throw StatusException.Conflict(r.GroupResource, name, StatusException.StaleObjectMessage);
            if (Obj.Name(desired) != name)
                throw StatusException.BadRequest($"the name of the object ({Obj.Name(desired)}) does not match the name on the URL ({name})");
            if (r.Namespaced && Obj.Namespace(desired) is { Length: > 0 } dns && dns != ns)
                throw StatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            var uid = Obj.Str(desiredMeta, "uid");
            var curUid = Obj.Str(current["metadata"], "uid");
            if (!string.IsNullOrEmpty(uid) && uid != curUid)
                throw StatusException.Conflict(r.GroupResource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {curUid}");

            PrepareForUpdate(r, scope, desired, current);
            ApplyDefaults(r, desired, current);
            r.Policy.Normalize?.Invoke(desired);
            TrackFields(r, current, desired, manager, scope);
            var errors = validate(r, desired);
            if (NewFinalizersOnDeletingObject(desired, current) is { } added)
                errors = [.. errors, added];
            if (scope is UpdateScope.Main or UpdateScope.Scale)
                errors = [.. errors, .. UpdateValidation.Validate(r.Group, r.Kind, desired, current)];
            if (scope == UpdateScope.EphemeralContainers)
                errors = [.. errors, .. UpdateValidation.EphemeralContainers(desired, current)];
            if (errors.Count > 0) throw StatusException.Invalid(r.Group, r.Kind, name, errors);

            Allocate(r, desired, current);
            var curFinal = current.DeepClone().AsObject();
            Obj.Meta(curFinal).Remove("resourceVersion");
            Obj.Meta(desired).Remove("resourceVersion");
            if (Obj.DeepEquals(curFinal, desired)) return (current, false);
            if (dryRun)
            {
                Release(r, desired, current);
                Obj.Meta(desired)["resourceVersion"] = kv.ModRevision.ToString();
                return (desired, false);
            }

            WriteResult res;
            try
            {
                res = IsReadyToRemove(desired)
                    ? await store.DeleteAsync(key, kv.ModRevision, ct)
                    : await store.UpdateAsync(key, Obj.ToUtf8(desired), kv.ModRevision, ct);
            }
            catch { Release(r, desired, current); throw; }
            if (res.Succeeded)
            {
                var written = Decode(r, res.Current!);
                // What the old version held and the new one does not is free again (all of it, once deleted).
                if (IsReadyToRemove(desired)) { Release(r, desired, null); Release(r, current, null); }
                else Release(r, current, desired);
                return (written, false);
            }
            Release(r, desired, current);
            if (res.Status == WriteStatus.NotFound) throw StatusException.NotFound(r.GroupResource, name);
            if (conditional) throw StatusException.Conflict(r.GroupResource, name, StatusException.StaleObjectMessage);
            if (attempt > 50) throw StatusException.Conflict(r.GroupResource, name, "too many concurrent updates, please retry");
        }
    }

    /// <summary>An object marked for deletion whose finalizers have all been removed (and whose grace period is over) is deleted.</summary>
    private static bool IsReadyToRemove(JsonObject o) => DeletionRules.IsReadyToRemove(o);

    private static void PrepareForUpdate(ServedResource r, UpdateScope scope, JsonObject desired, JsonObject current)
    {
        var meta = Obj.Meta(desired);
        var cur = Obj.Meta(current);
        if (scope == UpdateScope.Status)
        {
            // A status write changes only status (upstream's status strategies reset the rest).
            var status = desired["status"]?.DeepClone();
            foreach (var k in desired.Select(p => p.Key).ToList()) desired.Remove(k);
            foreach (var (k, v) in current) desired[k] = v?.DeepClone();
            if (status is not null) desired["status"] = status; else desired.Remove("status");
            return;
        }
        if (scope == UpdateScope.Binding)
        {
            // The binding handler changed exactly what it means to; only server-owned metadata is protected.
            KeepServerOwnedMetadata(meta, cur);
            return;
        }
        if (scope == UpdateScope.EphemeralContainers)
        {
            // pods/ephemeralcontainers changes only spec.ephemeralContainers (upstream's ephemeral container strategy).
            var ephemeral = desired["spec"]?["ephemeralContainers"]?.DeepClone();
            foreach (var k in desired.Select(p => p.Key).ToList()) desired.Remove(k);
            foreach (var (k, v) in current) desired[k] = v?.DeepClone();
            var spec = desired["spec"] as JsonObject ?? new JsonObject();
            if (ephemeral is not null) spec["ephemeralContainers"] = ephemeral; else spec.Remove("ephemeralContainers");
            desired["spec"] = spec;
            return;
        }
        KeepServerOwnedMetadata(meta, cur);
        meta.Remove("selfLink");
        desired["apiVersion"] = r.ApiVersion;
        desired["kind"] = r.Kind;
        if (r.HasStatus)
        {
            if (current["status"] is { } s) desired["status"] = s.DeepClone(); else desired.Remove("status");
        }
        if (r.Policy.TracksGeneration && SpecChanged(desired, current))
            meta["generation"] = (cur["generation"]?.GetValue<long>() ?? 0) + 1;
    }

    /// <summary>Upstream refuses new finalizers once an object is being deleted (it could otherwise never go).</summary>
    private static FieldError? NewFinalizersOnDeletingObject(JsonObject desired, JsonObject current)
    {
        if (Obj.Str(current["metadata"], "deletionTimestamp") is null) return null;
        static List<string> Of(JsonObject o) => o["metadata"]?["finalizers"] is JsonArray a ? a.Select(f => f?.GetValue<string>() ?? "").ToList() : [];
        var had = Of(current).ToHashSet();
        var added = Of(desired).Where(f => !had.Contains(f)).ToList();
        if (added.Count == 0) return null;
        return new FieldError(FieldErrorType.Forbidden, "metadata.finalizers", null,
            $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(a => $"\"{a}\""))}}}");
    }

    private static readonly string[] ServerOwnedMetadata = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace"];

    /// <summary>A write never changes the metadata the server owns: it keeps the stored values.</summary>
    private static void KeepServerOwnedMetadata(JsonObject meta, JsonObject current)
    {
        foreach (var f in ServerOwnedMetadata)
        {
            if (current[f] is { } v) meta[f] = v.DeepClone(); else meta.Remove(f);
        }
    }

    private static bool SpecChanged(JsonObject a, JsonObject b)
    {
        foreach (var (k, v) in a)
            if (k is not ("metadata" or "status" or "apiVersion" or "kind") && !Obj.DeepEquals(v, b[k])) return true;
        foreach (var (k, _) in b)
            if (k is not ("metadata" or "status" or "apiVersion" or "kind") && !a.ContainsKey(k)) return true;
        return false;
    }

    /// <summary>
    /// Deletes an object. Objects with finalizers (and namespaces) are only marked with a
    /// deletionTimestamp; the result says whether the object is gone.
    /// </summary>
    public async Task<(JsonObject Object, bool Deleted)> DeleteAsync(ServedResource r, string ns, string name, DeleteOptions opts, CancellationToken ct)
    {
        if (r.GroupResource == NamespacesGr && name is "default" or "kube-system" or "kube-public")
            throw StatusException.Forbidden(r.GroupResource, name, "this namespace may not be deleted");
        var key = r.Key(ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await store.GetAsync(key, 0, ct) ?? throw StatusException.NotFound(r.GroupResource, name);
            var current = Decode(r, kv);
            var meta = Obj.Meta(current);
            if (opts.PreconditionUid is { } puid && puid != Obj.Str(meta, "uid"))
                throw StatusException.Conflict(r.GroupResource, name, $"Precondition failed: UID in precondition: {puid}, UID in object meta: {Obj.Str(meta, "uid")}");
            if (opts.PreconditionResourceVersion is { } prv && prv != Obj.Str(meta, "resourceVersion"))
                throw StatusException.Conflict(r.GroupResource, name, $"Precondition failed: ResourceVersion in precondition: {prv}, ResourceVersion in object meta: {Obj.Str(meta, "resourceVersion")}");

            var isNamespace = r.GroupResource == NamespacesGr;
            if (isNamespace)
            {
                if (Obj.Str(meta, "deletionTimestamp") is not null || opts.DryRun) return (current, false);
                meta["deletionTimestamp"] = Obj.Now();
                meta["deletionGracePeriodSeconds"] = 0;
                current["status"] = new JsonObject { ["phase"] = "Terminating" };
                meta.Remove("resourceVersion");
                var res = await store.UpdateAsync(key, Obj.ToUtf8(current), kv.ModRevision, ct);
                if (res.Succeeded)
                {
                    NamespaceTerminating?.Invoke(name);
                    return (Decode(r, res.Current!), false);
                }
            }
            else
            {
                var grace = r.Policy.GracePeriod?.Invoke(current, opts.GracePeriodSeconds);
                var planned = current.DeepClone().AsObject();
                switch (DeletionRules.Plan(planned, opts.PropagationPolicy, grace, DateTimeOffset.UtcNow))
                {
                    case DeleteAction.Unchanged:
                        return (current, false);
                    case DeleteAction.Update:
                    {
                        if (opts.DryRun) return (planned, false);
                        Obj.Meta(planned).Remove("resourceVersion");
                        var res = await store.UpdateAsync(key, Obj.ToUtf8(planned), kv.ModRevision, ct);
                        if (res.Succeeded) return (Decode(r, res.Current!), false);
                        if (res.Status == WriteStatus.NotFound) throw StatusException.NotFound(r.GroupResource, name);
                        break;
                    }
                    default:
                    {
                        if (opts.DryRun) return (current, true);
                        var res = await store.DeleteAsync(key, kv.ModRevision, ct);
                        if (res.Succeeded)
                        {
                            var gone = Decode(r, res.Current!);
                            Release(r, gone, null);
                            return (gone, true);
                        }
                        if (res.Status == WriteStatus.NotFound) throw StatusException.NotFound(r.GroupResource, name);
                        break;
                    }
                }
            }
            if (attempt > 50) throw StatusException.Conflict(r.GroupResource, name, "too many concurrent updates, please retry");
        }
    }

    /// <summary>Removes a namespace marked for deletion once nothing is left in it (the namespace
    /// lifecycle that upstream's namespace controller performs). Returns true when it is gone.</summary>
    public async Task<bool> FinalizeNamespaceAsync(string ns, CancellationToken ct)
    {
        var remaining = 0;
        foreach (var r in resources.All.Where(x => x.Namespaced).GroupBy(x => x.KeyPrefix).Select(g => g.First()))
        {
            var page = await store.ListAsync(r.ListPrefix(ns), null, 0, 0, ct);
            foreach (var kv in page.Items)
            {
                remaining++;
                var name = kv.Key[(r.ListPrefix(ns).Length)..];
                try { await DeleteAsync(r, ns, name, new DeleteOptions(), ct); }
                catch (StatusException e) when (e.Code == 404) { }
            }
        }
        if (remaining > 0)
        {
            // Objects held by finalizers keep the namespace until they are gone.
            foreach (var r in resources.All.Where(x => x.Namespaced).GroupBy(x => x.KeyPrefix).Select(g => g.First()))
                if (await store.CountAsync(r.ListPrefix(ns), ct) > 0) return false;
        }
        var nsr = resources.Find("", "v1", "namespaces")!;
        var res = await store.DeleteAsync(nsr.Key("", ns), 0, ct);
        return res.Status is WriteStatus.Ok or WriteStatus.NotFound;
    }
}
