using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Schema;

namespace Skiff.Api.FieldManagement;

/// <summary>
/// managedFields bookkeeping for ordinary writes (create, update, non-apply patch), as upstream's field
/// manager does it: the fields a write changed are recorded under its manager (an Update entry per
/// manager and apiVersion), taken away from every other owner, and owners left with nothing disappear.
/// Pure: works on the JSON objects it is given and touches nothing else; thread-safe.
/// </summary>
public static class ManagedFields
{
    /// <summary>Upstream keeps at most this many Update owners; older ones fold into "ancient-changes".</summary>
    public const int MaxUpdateManagers = 10;
    public const string AncientChangesManager = "ancient-changes";

    /// <summary>
    /// Records the write of <paramref name="updated"/> over <paramref name="live"/> (null on create) by
    /// <paramref name="manager"/> (the request's fieldManager, or the user agent's first part, e.g.
    /// "kubectl-create") and writes the result to <c>updated.metadata.managedFields</c>.
    /// Call it after defaulting and admission, on the object about to be stored.
    /// </summary>
    /// <param name="live">The stored object, or null on create.</param>
    /// <param name="updated">The object to store; its managedFields are replaced (in place). If the client
    /// sent managedFields they are the starting point, as upstream allows resetting them.</param>
    /// <param name="schema">The kind's definition, e.g. <c>SchemaExtensions.Find("io.k8s.api.apps.v1.Deployment")</c>;
    /// null for a kind without one, whose fields are then deduced from the values (objects granular, lists atomic).</param>
    /// <param name="apiVersion">The request's group/version, e.g. "apps/v1".</param>
    /// <param name="subresource">"status" or "scale" for writes to a subresource, else null.</param>
    /// <param name="ignoredFields">Fields this endpoint resets (e.g. "status" for the main resource), never owned.</param>
    /// <returns><paramref name="updated"/>.</returns>
    /// <exception cref="ApplyException">An object does not fit the schema (e.g. a list item without its key).</exception>
    public static JsonObject Update(JsonObject? live, JsonObject updated, DefinitionSchema? schema, string manager,
        string apiVersion, DateTimeOffset now, string? subresource = null, FieldSet? ignoredFields = null)
    {
        var shape = Shape.Of(schema);
        var owners = subresource is null ? TryDecode(updated) : null;
        if (owners is null || owners.Count == 0) owners = TryDecode(live) ?? [];

        // Upstream stops tracking an existing object whose managedFields were cleared, until the next apply.
        if (owners.Count == 0 && live is not null && Uid(live) is { Length: > 0 })
        {
            Write(updated, []);
            return updated;
        }

        var before = live is null ? (schema is null ? new JsonObject() : ZeroObject(schema)) : WithoutManagedFields(live);
        var after = WithoutManagedFields(updated);
        var compare = Exclude(TypedValue.Compare(before, after, shape), ignoredFields);

        var changed = compare.Modified.Union(compare.Added);
        for (var i = owners.Count - 1; i >= 0; i--)
        {
            var remaining = owners[i].Fields.Difference(changed).Difference(compare.Removed);
            if (remaining.IsEmpty) owners.RemoveAt(i);
            else owners[i] = owners[i] with { Fields = remaining };
        }

        var mine = StripMeta(changed.Difference(compare.Removed));
        if (ignoredFields is not null) mine = mine.RecursiveDifference(ignoredFields);
        if (!mine.IsEmpty)
        {
            var entry = new ManagedFieldsEntry(manager, ManagedFieldsEntry.Update, apiVersion, now, mine, subresource);
            var at = owners.FindIndex(o => o.Identity == entry.Identity);
            if (at >= 0) owners[at] = entry with { Fields = owners[at].Fields.Union(mine) };
            else owners.Add(entry);
        }

        Write(updated, CapUpdateManagers(owners));
        return updated;
    }

    /// <summary>Longest manager name upstream accepts or derives.</summary>
    public const int MaxManagerLength = 128;

    /// <summary>
    /// The manager of a write: the request's fieldManager when given, else the user agent up to its first
    /// "/" (e.g. "kubectl" from "kubectl/v1.36.0 (linux/amd64) kubernetes/abc"), without unprintable
    /// characters and cut at <see cref="MaxManagerLength"/> UTF-8 bytes, as upstream derives it.
    /// </summary>
    public static string ManagerOrUserAgent(string? fieldManager, string? userAgent)
    {
        if (!string.IsNullOrEmpty(fieldManager)) return fieldManager;
        var prefix = (userAgent ?? "").Split('/')[0];
        var sb = new System.Text.StringBuilder();
        var bytes = 0;
        foreach (var rune in prefix.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.Surrogate) continue;
            if (bytes + rune.Utf8SequenceLength > MaxManagerLength) break;
            bytes += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    // ---- shared with ServerSideApply ---------------------------------------------------------

    /// <summary>The owners recorded in an object's metadata.managedFields; null when they cannot be read.</summary>
    internal static List<ManagedFieldsEntry>? TryDecode(JsonObject? obj)
    {
        if (obj?["metadata"]?["managedFields"] is not JsonArray entries) return obj is null ? null : [];
        try
        {
            var owners = new List<ManagedFieldsEntry>();
            foreach (var node in entries)
            {
                var entry = ManagedFieldsEntry.FromJson(node);
                var at = owners.FindIndex(o => o.Identity == entry.Identity);
                if (at >= 0) owners[at] = entry;
                else owners.Add(entry);
            }
            return owners;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads the owners recorded in an object, as <see cref="ServerSideApply"/> and callers that
    /// want to show them do.</summary>
    /// <exception cref="FormatException">managedFields is malformed.</exception>
    public static IReadOnlyList<ManagedFieldsEntry> Decode(JsonObject obj) =>
        TryDecode(obj) ?? throw new FormatException("failed to decode managed fields");

    /// <summary>Writes the owners in upstream's order (Apply before Update, then oldest first, then by
    /// manager, apiVersion and subresource); removes managedFields when there are none.</summary>
    internal static void Write(JsonObject obj, IEnumerable<ManagedFieldsEntry> owners)
    {
        var sorted = owners.Where(o => !o.Fields.IsEmpty)
            .OrderBy(o => o.Operation, StringComparer.Ordinal)
            .ThenBy(o => o.Time?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(o => o.Manager, StringComparer.Ordinal)
            .ThenBy(o => o.ApiVersion, StringComparer.Ordinal)
            .ThenBy(o => o.Subresource ?? "", StringComparer.Ordinal)
            .ToList();
        if (obj["metadata"] is not JsonObject metadata)
        {
            if (sorted.Count == 0) return;
            obj["metadata"] = metadata = new JsonObject();
        }
        if (sorted.Count == 0) metadata.Remove("managedFields");
        else metadata["managedFields"] = new JsonArray(sorted.Select(o => (JsonNode)o.ToJson()).ToArray());
    }

    internal static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    private static string? Uid(JsonObject obj) => obj["metadata"]?["uid"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    internal static Comparison Exclude(Comparison c, FieldSet? ignored) => ignored is null || ignored.IsEmpty ? c
        : new Comparison(c.Added.RecursiveDifference(ignored), c.Modified.RecursiveDifference(ignored), c.Removed.RecursiveDifference(ignored));

    /// <summary>Identity and bookkeeping fields nobody owns (upstream's strip-meta step); only the paths
    /// themselves, so metadata.labels stays ownable.</summary>
    private static readonly FieldSet MetaFields = FieldSet.Of(
        FieldPath.Of("apiVersion"), FieldPath.Of("kind"), FieldPath.Of("metadata"),
        FieldPath.Of("metadata", "name"), FieldPath.Of("metadata", "namespace"), FieldPath.Of("metadata", "creationTimestamp"),
        FieldPath.Of("metadata", "selfLink"), FieldPath.Of("metadata", "uid"), FieldPath.Of("metadata", "clusterName"),
        FieldPath.Of("metadata", "generation"), FieldPath.Of("metadata", "managedFields"), FieldPath.Of("metadata", "resourceVersion"));

    internal static FieldSet StripMeta(FieldSet set) => set.Difference(MetaFields);

    /// <summary>
    /// The object a create is compared against. Upstream compares with the kind's empty Go struct, in which
    /// non-pointer struct fields (metadata, spec, status, pod templates, strategies) exist as {} and
    /// fields without omitempty (most required ones, e.g. spec.template.spec.containers) as null, so a
    /// create does not "add" them and they carry no "." marker. The OpenAPI document does not say which
    /// fields are Go values, so this names the usual ones and treats other required fields as null.
    /// </summary>
    internal static JsonObject ZeroObject(DefinitionSchema schema)
    {
        var zero = new JsonObject();
        Fill(zero, schema, depth: 0);
        return zero;

        static void Fill(JsonObject obj, DefinitionSchema definition, int depth)
        {
            if (depth > 6) return;
            foreach (var (name, property) in definition.Properties)
            {
                var inner = property.Schema.Ref is { } r ? SchemaExtensions.Find(r) : null;
                var isStruct = inner is { Properties.Count: > 0 } && inner.MapType != "atomic" && property.MapType != "atomic";
                if (isStruct && (ValueStructFields.Contains(name) || definition.Required.Contains(name)))
                {
                    var child = new JsonObject();
                    obj[name] = child;
                    if (name is not ("metadata" or "status")) Fill(child, inner!, depth + 1);
                }
                else if (definition.Required.Contains(name) && depth > 0) obj[name] = null;
            }
        }
    }

    private static readonly string[] ValueStructFields = ["metadata", "spec", "status", "template", "jobTemplate", "strategy", "updateStrategy"];

    /// <summary>Folds the oldest Update owners into one "ancient-changes" owner per apiVersion once there
    /// are more than <see cref="MaxUpdateManagers"/>, as upstream does.</summary>
    internal static List<ManagedFieldsEntry> CapUpdateManagers(List<ManagedFieldsEntry> owners)
    {
        var updaters = owners.Where(o => !o.IsApply).ToList();
        if (updaters.Count <= MaxUpdateManagers) return owners;
        updaters.Sort((a, b) =>
        {
            var c = (a.Time?.ToUnixTimeSeconds() ?? 0).CompareTo(b.Time?.ToUnixTimeSeconds() ?? 0);
            return c != 0 ? c : string.CompareOrdinal(a.Manager, b.Manager);
        });
        var firstByVersion = new Dictionary<string, ManagedFieldsEntry>();
        var length = updaters.Count;
        for (var i = 0; i < updaters.Count && length > MaxUpdateManagers; i++)
        {
            var u = updaters[i];
            if (!firstByVersion.TryGetValue(u.ApiVersion, out var first))
            {
                firstByVersion[u.ApiVersion] = u;
                continue;
            }
            var bucketAt = owners.FindIndex(o => o.Manager == AncientChangesManager && !o.IsApply && o.ApiVersion == u.ApiVersion && o.Subresource is null);
            if (bucketAt < 0)
            {
                owners.Remove(first);
                owners.Add(first with { Manager = AncientChangesManager, Subresource = null });
                bucketAt = owners.Count - 1;
            }
            owners[bucketAt] = owners[bucketAt] with { Fields = u.Fields.Union(owners[bucketAt].Fields), Time = u.Time };
            owners.Remove(u);
            length--;
        }
        return owners;
    }
}
