using System.Text.Json.Nodes;
using Skiff.Api.Schema;

// The folder is Apply/, the namespace is not: a Skiff.Api.Apply namespace would hide the Apply(...) helpers
// that tests under Skiff.Api.Tests import with "using static".
namespace Skiff.Api.FieldManagement;

/// <summary>The outcome of an apply: the object to store, or the conflicts that stopped it.</summary>
public sealed record ApplyResult(JsonObject? Object, ApplyConflicts? Conflicts)
{
    public bool Succeeded => Object is not null;
}

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>, <c>kubectl apply --server-side</c>) as
/// upstream's structured-merge-diff does it: the applied configuration is merged into the object (map
/// lists by key, sets by value, atomic fields replaced), fields the manager applied last time and no
/// longer applies are removed unless someone else owns them, and changing a field another manager owns
/// is a conflict unless forced, which moves the field to the applier. Pure; thread-safe.
/// </summary>
public static class ServerSideApply
{
    /// <summary>
    /// Applies <paramref name="applied"/> (the request body, already parsed from YAML or JSON) as
    /// <paramref name="manager"/> to <paramref name="live"/> (null when the object does not exist yet: apply
    /// creates it). The result carries the merged object with its metadata.managedFields, to be defaulted,
    /// validated and stored like an update; or the conflicts for a 409. Neither input is modified.
    /// </summary>
    /// <param name="schema">The kind's definition, e.g. <c>SchemaExtensions.Find("io.k8s.api.apps.v1.Deployment")</c>;
    /// null for a kind without one, whose fields are then deduced from the values (objects granular, lists atomic).</param>
    /// <param name="manager">The request's fieldManager (required for apply; the server answers 400 without it).</param>
    /// <param name="apiVersion">The request's group/version, e.g. "apps/v1".</param>
    /// <param name="force">The request's force=true: take conflicting fields instead of failing.</param>
    /// <param name="subresource">"status" or "scale" when applying to a subresource, else null.</param>
    /// <param name="ignoredFields">Fields this endpoint resets (e.g. "status" for the main resource), never owned.</param>
    /// <exception cref="ApplyException">The configuration or object does not fit the schema (400 BadRequest),
    /// including a configuration that sets metadata.managedFields.</exception>
    public static ApplyResult Apply(JsonObject? live, JsonObject applied, DefinitionSchema? schema, string manager,
        string apiVersion, bool force, DateTimeOffset now, string? subresource = null, FieldSet? ignoredFields = null)
    {
        var result = ApplyCore(live, applied, schema, manager, apiVersion, force, now, subresource, ignoredFields);
        if (manager != KubectlManager) return result;

        // kubectl apply --server-side on an object kubectl apply (client-side) made: fields the old
        // last-applied annotation set may be taken over without a conflict, and the annotation follows.
        if (result.Conflicts is { } conflicts && live is not null && AllowedByLastApplied(live, schema) is { } allowed)
        {
            var remaining = conflicts.Items.Where(c => !allowed.Has(c.Path)).ToList();
            if (remaining.Count > 0) return new ApplyResult(null, new ApplyConflicts(remaining));
            result = ApplyCore(live, applied, schema, manager, apiVersion, true, now, subresource, ignoredFields);
        }
        if (result.Object is { } obj && LastApplied(obj) is not null) SetLastApplied(obj, applied);
        return result;
    }

    /// <summary>The manager name whose applies upgrade client-side apply's annotation, as upstream.</summary>
    public const string KubectlManager = "kubectl";

    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    private static string? LastApplied(JsonObject obj) =>
        obj["metadata"]?["annotations"]?[LastAppliedAnnotation] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    /// <summary>Fields both the live object and its last-applied annotation set.</summary>
    private static FieldSet? AllowedByLastApplied(JsonObject live, DefinitionSchema? schema)
    {
        if (LastApplied(live) is not { } text) return null;
        try
        {
            if (JsonNode.Parse(text) is not JsonObject lastApplied) return null;
            var shape = Shape.Of(schema);
            return TypedValue.ToFieldSet(lastApplied, shape).Intersection(TypedValue.ToFieldSet(ManagedFields.WithoutManagedFields(live), shape));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ApplyException)
        {
            return null;
        }
    }

    /// <summary>Rewrites the annotation from the applied configuration (without the annotation itself) as
    /// Go encodes an unstructured object: keys sorted, Go escaping, a trailing newline. Upstream drops the
    /// annotation instead when it would exceed 256 KiB.</summary>
    private static void SetLastApplied(JsonObject obj, JsonObject applied)
    {
        var config = applied.DeepClone().AsObject();
        if (config["metadata"]?["annotations"] is JsonObject configAnnotations)
        {
            configAnnotations.Remove(LastAppliedAnnotation);
            if (configAnnotations.Count == 0) config["metadata"]!.AsObject().Remove("annotations");
        }
        var sb = new System.Text.StringBuilder();
        JsonValues.WriteSorted(sb, config);
        sb.Append('\n');
        var annotations = obj["metadata"]!["annotations"]!.AsObject();
        if (sb.Length > 256 * 1024) annotations.Remove(LastAppliedAnnotation);
        else annotations[LastAppliedAnnotation] = sb.ToString();
    }

    private static ApplyResult ApplyCore(JsonObject? live, JsonObject applied, DefinitionSchema? schema, string manager,
        string apiVersion, bool force, DateTimeOffset now, string? subresource, FieldSet? ignoredFields)
    {
        if (applied["metadata"]?["managedFields"] is JsonArray { Count: > 0 })
            throw new ApplyException("metadata.managedFields must be nil");

        var shape = Shape.Of(schema);
        var owners = live is null ? [] : ManagedFields.TryDecode(live) ?? [];
        var before = live is null ? new JsonObject() : ManagedFields.WithoutManagedFields(live);
        var config = ManagedFields.WithoutManagedFields(applied);

        var merged = TypedValue.Merge(before, config, shape) as JsonObject ?? new JsonObject();

        var me = new ManagedFieldsEntry(manager, ManagedFieldsEntry.Apply, apiVersion, null, FieldSet.Empty(), subresource);
        var myAt = owners.FindIndex(o => o.Identity == me.Identity);
        var lastSet = myAt >= 0 ? owners[myAt].Fields : null;
        var mySet = TypedValue.ToFieldSet(config, shape);
        if (ignoredFields is not null) mySet = mySet.RecursiveDifference(ignoredFields);
        me = me with { Fields = mySet, Time = myAt >= 0 ? owners[myAt].Time : null };
        if (myAt >= 0) owners[myAt] = me;
        else owners.Add(me);

        merged = Prune(merged, owners, lastSet, shape);

        var compare = ManagedFields.Exclude(TypedValue.Compare(before, merged, shape), ignoredFields);
        var changed = compare.Modified.Union(compare.Added);
        var conflicts = new List<ApplyConflict>();
        for (var i = 0; i < owners.Count; i++)
        {
            if (owners[i].Identity == me.Identity) continue;
            foreach (var path in owners[i].Fields.Intersection(changed).Paths()) conflicts.Add(new ApplyConflict(owners[i], path));
        }
        if (conflicts.Count > 0 && !force) return new ApplyResult(null, new ApplyConflicts(conflicts));

        for (var i = owners.Count - 1; i >= 0; i--)
        {
            if (owners[i].Identity == me.Identity) continue;
            var remaining = owners[i].Fields.Difference(changed).Difference(compare.Removed);
            if (remaining.IsEmpty) owners.RemoveAt(i);
            else owners[i] = owners[i] with { Fields = remaining };
        }

        myAt = owners.FindIndex(o => o.Identity == me.Identity);
        var stripped = ManagedFields.StripMeta(owners[myAt].Fields);
        var objectChanged = !JsonNode.DeepEquals(before, merged);
        if (stripped.IsEmpty) owners.RemoveAt(myAt);
        else owners[myAt] = owners[myAt] with { Fields = stripped, Time = objectChanged ? now : owners[myAt].Time };

        var result = objectChanged ? merged : before;
        TypedValue.RemoveNullFields(result, shape);
        ManagedFields.Write(result, ManagedFields.CapUpdateManagers(owners));
        return new ApplyResult(result, null);
    }

    /// <summary>
    /// Removes what the applier owned last time and no longer applies — unless another owner (or this
    /// apply) still claims it, or it was never the applier's — as upstream's prune, add-back-owned and
    /// add-back-dangling steps do.
    /// </summary>
    private static JsonObject Prune(JsonObject merged, List<ManagedFieldsEntry> owners, FieldSet? lastSet, Shape shape)
    {
        if (lastSet is null || lastSet.IsEmpty) return merged;
        FieldSet Named(FieldSet s) => TypedValue.WithNamedFieldsAsMembers(s, shape);
        FieldSet SetOf(JsonNode? v) => Named(TypedValue.ToFieldSet(v, shape));

        var pruned = TypedValue.RemoveItems(merged, Named(lastSet), shape);

        var managed = owners.Aggregate(FieldSet.Empty(), (all, o) => all.Union(o.Fields));
        var mergedSet = SetOf(merged);
        pruned = TypedValue.RemoveItems(merged, mergedSet.Difference(SetOf(pruned).Union(Named(managed))), shape);

        var dangling = mergedSet.Difference(SetOf(pruned)).Intersection(Named(lastSet));
        return TypedValue.RemoveItems(merged, dangling, shape) as JsonObject ?? new JsonObject();
    }
}

/// <summary>One field another manager owns with a different value than the apply sets.</summary>
public sealed record ApplyConflict(ManagedFieldsEntry Owner, FieldPath Path);

/// <summary>
/// The conflicts of a failed apply and the 409 upstream answers with: reason Conflict, message
/// <c>Apply failed with 1 conflict: conflict with "mgr" using apps/v1: .spec.replicas</c>, and one
/// FieldManagerConflict cause per field.
/// </summary>
public sealed class ApplyConflicts
{
    public ApplyConflicts(IEnumerable<ApplyConflict> conflicts)
    {
        // Upstream's order depends on Go map iteration; sorting owners keeps Skiff's answer stable.
        Items = conflicts.OrderBy(c => c.Owner.Manager, StringComparer.Ordinal)
            .ThenBy(c => c.Owner.Operation, StringComparer.Ordinal)
            .ThenBy(c => c.Owner.ApiVersion, StringComparer.Ordinal)
            .ThenBy(c => c.Owner.Subresource ?? "", StringComparer.Ordinal)
            .ToList();
    }

    public IReadOnlyList<ApplyConflict> Items { get; }

    public string Message
    {
        get
        {
            if (Items.Count == 1) return $"Apply failed with 1 conflict: conflict with {Items[0].Owner.DisplayName}: {Items[0].Path}";
            var lines = new List<string>();
            foreach (var group in Items.GroupBy(c => c.Owner.Identity))
            {
                lines.Add($"conflicts with {group.First().Owner.DisplayName}:");
                lines.AddRange(group.Select(c => $"- {c.Path}"));
            }
            return $"Apply failed with {Items.Count} conflicts: {string.Join("\n", lines)}";
        }
    }

    /// <summary>The metav1.Status body of the 409 response.</summary>
    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = "Conflict",
        ["details"] = new JsonObject
        {
            ["causes"] = new JsonArray(Items.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with {c.Owner.DisplayName}",
                ["field"] = c.Path.ToString(),
            }).ToArray()),
        },
        ["code"] = 409,
    };
}
