using System.Text.Json.Nodes;

namespace Skiff.Api.Patch;

/// <summary>
/// Merges a patch object into a live object, field by field, as upstream's strategic merge does: a
/// <c>$patch</c> directive acts on the whole map, then <c>$retainKeys</c> clears fields, then lists with a
/// <c>$setElementOrder</c> are merged and ordered, then every other field is merged by its patch metadata.
/// The live object is modified in place; the patch never is (its values are cloned into the result).
/// </summary>
internal static class StrategicMapMerge
{
    /// <summary>Merges <paramref name="patch"/> into <paramref name="original"/> and returns the result: the
    /// original itself, or a new object when the patch replaces or deletes the whole map.</summary>
    public static JsonObject Merge(JsonObject original, JsonObject patch, StrategicSchema schema)
    {
        if (patch.TryGetPropertyValue(StrategicDirectives.Patch, out var directive)) return ApplyMapDirective(directive, patch, schema);

        var handled = new HashSet<string>(StringComparer.Ordinal);
        ApplyRetainKeys(original, patch, handled);
        ApplyElementOrders(original, patch, schema, handled);
        foreach (var (rawKey, value) in patch)
        {
            if (handled.Contains(rawKey)) continue;
            var isDeleteList = StrategicDirectives.TryParallelList(rawKey, StrategicDirectives.DeleteFromPrimitiveList, out var listField);
            var key = isDeleteList ? listField : rawKey;
            MergeField(original, key, value, schema.Field(key), isDeleteList);
        }
        return original;
    }

    /// <summary>A patch object applied to nothing: the object it describes, with every directive acted on and
    /// every null dropped.</summary>
    public static JsonObject Take(JsonObject patch, StrategicSchema schema) => Merge(new JsonObject(), patch, schema);

    private static void MergeField(JsonObject original, string key, JsonNode? value, StrategicField field, bool isDeleteList)
    {
        if (value is null)
        {
            // Null deletes the field; for a deletion list it deletes the whole list, as upstream.
            original.Remove(key);
            return;
        }

        original.TryGetPropertyValue(key, out var current);
        var currentKind = StrategicValues.KindOf(current);
        var valueKind = StrategicValues.KindOf(value);
        if (current is null || !SameContainerKind(currentKind, valueKind))
        {
            // Nothing to merge with: the patch value is taken as it is, minus directives and nulls. A deletion
            // list with nothing to delete from does nothing.
            if (!isDeleteList) Set(original, key, Materialize(value, field));
            return;
        }

        switch (currentKind)
        {
            case StrategicKind.Object:
            {
                var live = (JsonObject)current;
                var merged = field.Replaces ? Take((JsonObject)value, field.Object) : Merge(live, (JsonObject)value, field.Object);
                if (!ReferenceEquals(merged, live)) original[key] = merged;
                break;
            }
            case StrategicKind.Array:
                original[key] = field.Merges || isDeleteList
                    ? new JsonArray(StrategicListMerge.Merge((JsonArray)current, (JsonArray)value, field, isDeleteList).ToArray())
                    : Materialize(value, field);
                break;
            default:
                original[key] = value.DeepClone();
                break;
        }
    }

    // Go compares decoded types: two maps or two lists merge, anything else is replaced.
    private static bool SameContainerKind(StrategicKind a, StrategicKind b) =>
        a == b || (a is not (StrategicKind.Object or StrategicKind.Array) && b is not (StrategicKind.Object or StrategicKind.Array));

    private static void Set(JsonObject target, string key, JsonNode? value)
    {
        if (value is null) target.Remove(key);
        else target[key] = value;
    }

    /// <summary>A patch value placed where nothing can merge with it. As upstream, a map carrying a
    /// <c>$patch</c> directive is dropped altogether (null), nested directives are acted on, and nulls inside
    /// maps are discarded.</summary>
    private static JsonNode? Materialize(JsonNode value, StrategicField field)
    {
        switch (value)
        {
            case JsonObject map:
                return map.ContainsKey(StrategicDirectives.Patch) ? null : Take(map, field.Object);
            case JsonArray list when field.Merges:
                return new JsonArray(StrategicListMerge.Merge(new JsonArray(), list, field, isDeleteList: false).ToArray());
            case JsonArray list:
            {
                var elements = new JsonArray();
                foreach (var item in list)
                {
                    if (item is null) elements.Add(null);
                    else if (Materialize(item, new StrategicField(null, false, null, field.Type?.Items)) is { } kept) elements.Add(kept);
                }
                return elements;
            }
            default:
                return value.DeepClone();
        }
    }

    private static JsonObject ApplyMapDirective(JsonNode? directive, JsonObject patch, StrategicSchema schema)
    {
        var name = directive is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        switch (name)
        {
            case StrategicDirectives.Replace:
            {
                var content = new JsonObject();
                foreach (var (key, value) in patch)
                    if (key != StrategicDirectives.Patch) content[key] = value?.DeepClone();
                return Take(content, schema);
            }
            case StrategicDirectives.Delete:
                return new JsonObject();
            default:
                throw StrategicErrors.BadPatchType(directive, patch);
        }
    }

    // $retainKeys lists every field the map may keep; the live map loses the others. Every field the patch
    // sets must be in the list, or the patch contradicts itself.
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch, HashSet<string> handled)
    {
        if (!patch.TryGetPropertyValue(StrategicDirectives.RetainKeys, out var listNode)) return;
        handled.Add(StrategicDirectives.RetainKeys);
        if (listNode is not JsonArray list) throw StrategicErrors.BadRetainKeysFormat();

        var retained = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list)
            if (item is JsonValue v && v.TryGetValue<string>(out var name)) retained.Add(name);

        foreach (var (key, value) in patch)
        {
            if (value is null || key == StrategicDirectives.RetainKeys || StrategicDirectives.IsParallelListKey(key)) continue;
            if (!retained.Contains(key)) throw StrategicErrors.BadRetainKeysFormat();
        }
        foreach (var key in original.Select(p => p.Key).Where(k => !retained.Contains(k)).ToList())
            original.Remove(key);
    }

    // Each $setElementOrder/<field> merges <field> now and orders the result by the directive's list, then by
    // the patch list, then by the live list; <field> is then done.
    private static void ApplyElementOrders(JsonObject original, JsonObject patch, StrategicSchema schema, HashSet<string> handled)
    {
        foreach (var (rawKey, orderNode) in patch)
        {
            if (!StrategicDirectives.TryParallelList(rawKey, StrategicDirectives.SetElementOrder, out var key)) continue;
            handled.Add(rawKey);
            if (orderNode is not JsonArray order) throw StrategicErrors.BadArgType("[]interface {}", orderNode);

            var liveFound = original.TryGetPropertyValue(key, out var liveNode);
            var patchFound = patch.TryGetPropertyValue(key, out var patchNode);
            if (liveFound && liveNode is not JsonArray) throw StrategicErrors.BadArgType("[]interface {}", liveNode);
            if (patchFound && patchNode is not JsonArray) throw StrategicErrors.BadArgType("[]interface {}", patchNode);
            var live = liveNode as JsonArray;
            var patchList = patchNode as JsonArray;

            var field = schema.Field(key);
            var mergeKey = field.MergeKey;
            StrategicElementOrder.Validate(patchList, order, mergeKey);
            if (live is null && patchList is null) continue;

            var serverOrder = live?.ToList() ?? [];
            List<JsonNode?> merged;
            if (patchList is null) merged = serverOrder.ToList();
            else if (live is null) merged = [.. (JsonArray)Materialize(patchList, field)!];
            else if (field.Merges) merged = StrategicListMerge.Merge(live, patchList, field, isDeleteList: false);
            else merged = [.. (JsonArray)Materialize(patchList, field)!];

            // Move the elements out of whichever array holds them before placing them in the ordered one.
            (live ?? new JsonArray()).Clear();
            var ordered = merged;
            if (merged.Count > 0)
            {
                var (named, others) = StrategicElementOrder.Partition(merged, order.ToList(), mergeKey);
                ordered = StrategicElementOrder.Normalize(named, others, order.ToList(), serverOrder, mergeKey);
            }
            foreach (var item in ordered) item?.Parent?.AsArray().Remove(item);
            original[key] = new JsonArray(ordered.ToArray());
            handled.Add(key);
        }
    }
}
