using System.Text.Json.Nodes;

namespace Skiff.Api.Patch;

/// <summary>
/// Merges a patch list into a live list whose field has patch strategy "merge" (or is the target of a
/// <c>$deleteFromPrimitiveList</c>), as upstream does:
/// <list type="bullet">
/// <item>primitives: the union, without duplicates; a deletion list removes the values it names;</item>
/// <item>maps: elements are matched on the merge key; a match is merged recursively, a new key is added;
/// <c>{"$patch": "delete", key: v}</c> removes every element with that key and <c>{"$patch": "replace"}</c>
/// makes the patch's other elements the whole list.</item>
/// </list>
/// The result is ordered by <see cref="StrategicElementOrder"/>. Its elements are the live list's own nodes
/// (detached from it) and clones of the patch's; the patch is never modified.
/// </summary>
internal static class StrategicListMerge
{
    public static List<JsonNode?> Merge(JsonArray original, JsonArray patch, StrategicField field, bool isDeleteList)
    {
        var live = Detach(original);
        if (live.Count == 0 && patch.Count == 0) return live;

        if (ElementKind(live, patch) != StrategicKind.Object)
        {
            if (isDeleteList) return live.Where(item => !patch.Any(p => StrategicValues.Same(p, item))).ToList();
            var union = new List<JsonNode?>(live.Count + patch.Count);
            foreach (var item in live.Concat(patch.Select(p => p?.DeepClone())))
                if (!union.Any(u => StrategicValues.Same(u, item))) union.Add(item);
            var patchItems = patch.ToList();
            var (named, others) = StrategicElementOrder.Partition(union, patchItems, null);
            return StrategicElementOrder.Normalize(named, others, patchItems, live, null);
        }

        var mergeKey = field.MergeKey ?? throw StrategicErrors.MergeWithoutMergeKey(field.Element.Name);
        var (remaining, merging, replaced) = ApplyDirectives(live, patch, mergeKey);
        if (replaced)
        {
            // The list is the patch's other elements, taken as a patch for nothing: no directives or nulls survive.
            return merging.Select(item => (JsonNode?)StrategicMapMerge.Take((JsonObject)item, field.Element)).ToList();
        }

        var serverOrder = new List<JsonNode?>(remaining);
        var merged = MergeByKey(remaining, merging, mergeKey, field.Element);
        var order = merging.Cast<JsonNode?>().ToList();
        var (fromPatch, serverOnly) = StrategicElementOrder.Partition(merged, order, mergeKey);
        return StrategicElementOrder.Normalize(fromPatch, serverOnly, order, serverOrder, mergeKey);
    }

    // Moves the live list's elements out so they can be placed in a new list.
    private static List<JsonNode?> Detach(JsonArray array)
    {
        var items = array.ToList();
        array.Clear();
        return items;
    }

    // Every element of both lists must have one JSON type, and lists of lists are not supported (422).
    private static StrategicKind ElementKind(List<JsonNode?> live, JsonArray patch)
    {
        StrategicKind? kind = null;
        foreach (var item in live.Concat(patch))
        {
            var current = StrategicValues.KindOf(item);
            if (kind is null)
            {
                if (current == StrategicKind.Array) throw StrategicErrors.NoListOfLists();
                kind = current;
            }
            else if (kind != current)
            {
                throw StrategicErrors.ElementTypesDiffer(new JsonArray(live.Select(i => i?.DeepClone()).ToArray()), patch);
            }
        }
        return kind ?? StrategicKind.Null;
    }

    // Applies the $patch elements: deletions remove matching live elements, "replace" discards the live list.
    private static (List<JsonNode?> Remaining, List<JsonObject> Merging, bool Replaced) ApplyDirectives(List<JsonNode?> live, JsonArray patch, string mergeKey)
    {
        var merging = new List<JsonObject>(patch.Count);
        var replaced = false;
        foreach (var node in patch)
        {
            var element = (JsonObject)node!;
            if (!element.TryGetPropertyValue(StrategicDirectives.Patch, out var directive))
            {
                merging.Add(element);
                continue;
            }
            switch (directive is JsonValue v && v.TryGetValue<string>(out var name) ? name : null)
            {
                case StrategicDirectives.Delete:
                    if (!element.TryGetPropertyValue(mergeKey, out var key)) throw StrategicErrors.NoMergeKey(element, mergeKey);
                    live.RemoveAll(item => HasKey(item, mergeKey, key));
                    break;
                case StrategicDirectives.Replace:
                    replaced = true;
                    break;
                case StrategicDirectives.Merge:
                    throw StrategicErrors.MergeDirectiveInList();
                default:
                    throw StrategicErrors.BadPatchType(directive, element);
            }
        }
        return (replaced ? [] : live, merging, replaced);
    }

    // Merges each patch element into the live element with the same key, or appends it.
    private static List<JsonNode?> MergeByKey(List<JsonNode?> live, List<JsonObject> patch, string mergeKey, StrategicSchema elementSchema)
    {
        var result = new List<JsonNode?>(live);
        foreach (var element in patch)
        {
            if (!element.TryGetPropertyValue(mergeKey, out var key)) throw StrategicErrors.NoMergeKey(element, mergeKey);
            var index = -1;
            for (var i = 0; i < result.Count && index < 0; i++)
            {
                if (result[i] is not JsonObject) throw StrategicErrors.NotAMap(i);
                if (HasKey(result[i], mergeKey, key)) index = i;
            }
            if (index >= 0) result[index] = StrategicMapMerge.Merge((JsonObject)result[index]!, element, elementSchema);
            else result.Add(StrategicMapMerge.Take(element, elementSchema));
        }
        return result;
    }

    private static bool HasKey(JsonNode? item, string mergeKey, JsonNode? key) =>
        item is JsonObject map && map.TryGetPropertyValue(mergeKey, out var value) && StrategicValues.Same(value, key);
}
