using System.Text.Json.Nodes;

namespace Skiff.Api.Patch;

/// <summary>
/// The order of a merged list, as upstream settles it (design: "preserve order in strategic merge patch"):
/// elements the patch names keep the patch's (or <c>$setElementOrder</c>'s) order, elements only the server
/// has keep the server's order, and the two are interleaved so that a server-only element stays ahead of a
/// patch element it preceded in the live list. Elements are identified by their merge key's value (lists of
/// maps) or by themselves (lists of primitives); <c>mergeKey</c> null means the latter.
/// </summary>
internal static class StrategicElementOrder
{
    /// <summary>Splits <paramref name="merged"/> into the elements named in <paramref name="by"/> and the rest,
    /// each in their current order.</summary>
    public static (List<JsonNode?> Named, List<JsonNode?> Others) Partition(List<JsonNode?> merged, IReadOnlyList<JsonNode?> by, string? mergeKey)
    {
        var named = new List<JsonNode?>(merged.Count);
        var others = new List<JsonNode?>(merged.Count);
        foreach (var item in merged)
        {
            if (mergeKey is not null) RequireMergeKey(item, mergeKey);
            (Contains(by, item, mergeKey) ? named : others).Add(item);
        }
        return (named, others);
    }

    /// <summary>Orders <paramref name="patchItems"/> by <paramref name="patchOrder"/> and
    /// <paramref name="serverOnly"/> by <paramref name="serverOrder"/>, then interleaves them.</summary>
    public static List<JsonNode?> Normalize(List<JsonNode?> patchItems, List<JsonNode?> serverOnly,
        IReadOnlyList<JsonNode?> patchOrder, IReadOnlyList<JsonNode?> serverOrder, string? mergeKey)
    {
        if (mergeKey is not null)
        {
            foreach (var item in patchOrder) RequireMergeKey(item, mergeKey);
            foreach (var item in serverOrder) RequireMergeKey(item, mergeKey);
        }
        var patchSorted = SortBy(patchItems, patchOrder, mergeKey);
        var serverSorted = SortBy(serverOnly, serverOrder, mergeKey);
        return Interleave(serverSorted, patchSorted, serverOrder, mergeKey);
    }

    /// <summary>Checks that the patch list does not contradict its <c>$setElementOrder</c> list: the elements the
    /// patch merges (deletions aside) must appear in the order list, in the same relative order.</summary>
    public static void Validate(JsonArray? patchList, JsonArray setOrder, string? mergeKey)
    {
        if (patchList is null || patchList.Count == 0 || setOrder.Count == 0) return;
        var merging = new List<JsonNode?>(patchList.Count);
        foreach (var item in patchList)
        {
            if (mergeKey is not null)
            {
                if (item is not JsonObject map) throw StrategicErrors.BadArgType("map[string]interface {}", item);
                if (IsDeleteDirective(map)) continue;
            }
            merging.Add(item);
        }

        int p = 0, s = 0;
        while (p < merging.Count && s < setOrder.Count)
        {
            if (merging[p] is JsonObject withDirective && withDirective.ContainsKey(StrategicDirectives.Patch))
            {
                p++;
                continue;
            }
            if (mergeKey is not null)
            {
                RequireMergeKey(merging[p], mergeKey);
                RequireMergeKey(setOrder[s], mergeKey);
            }
            if (SameIdentity(merging[p], setOrder[s], mergeKey)) p++;
            s++;
        }
        if (p < merging.Count) throw StrategicErrors.OrderMismatch(patchList, setOrder);
    }

    private static bool IsDeleteDirective(JsonObject map) =>
        map[StrategicDirectives.Patch] is JsonValue v && v.TryGetValue<string>(out var s) && s == StrategicDirectives.Delete;

    // Items absent from the order list cannot be placed by it; they keep their relative order after the rest.
    private static List<JsonNode?> SortBy(List<JsonNode?> items, IReadOnlyList<JsonNode?> order, string? mergeKey) =>
        items.Select((item, position) => (item, position, rank: IndexOf(order, item, mergeKey)))
            .OrderBy(x => x.rank < 0 ? int.MaxValue : x.rank)
            .ThenBy(x => x.position)
            .Select(x => x.item)
            .ToList();

    // Walks both sorted lists, taking the server-only element first only when the live list had it ahead of
    // the patch element; otherwise the patch element goes first.
    private static List<JsonNode?> Interleave(List<JsonNode?> serverOnly, List<JsonNode?> patch, IReadOnlyList<JsonNode?> serverOrder, string? mergeKey)
    {
        var result = new List<JsonNode?>(serverOnly.Count + patch.Count);
        int i = 0, j = 0;
        while (i < serverOnly.Count || j < patch.Count)
        {
            if (j >= patch.Count) result.Add(serverOnly[i++]);
            else if (i >= serverOnly.Count) result.Add(patch[j++]);
            else
            {
                var left = IndexOf(serverOrder, serverOnly[i], mergeKey);
                var right = IndexOf(serverOrder, patch[j], mergeKey);
                result.Add(left >= 0 && right >= 0 && left < right ? serverOnly[i++] : patch[j++]);
            }
        }
        return result;
    }

    private static bool Contains(IReadOnlyList<JsonNode?> list, JsonNode? item, string? mergeKey)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (mergeKey is not null && list[i] is not JsonObject) throw StrategicErrors.NotAMap(i);
            if (SameIdentity(list[i], item, mergeKey)) return true;
        }
        return false;
    }

    private static int IndexOf(IReadOnlyList<JsonNode?> list, JsonNode? item, string? mergeKey)
    {
        for (var i = 0; i < list.Count; i++)
            if (SameIdentity(list[i], item, mergeKey)) return i;
        return -1;
    }

    private static bool SameIdentity(JsonNode? a, JsonNode? b, string? mergeKey)
    {
        if (mergeKey is null) return StrategicValues.Same(a, b);
        return a is JsonObject ma && b is JsonObject mb && ma.TryGetPropertyValue(mergeKey, out var ka) &&
               mb.TryGetPropertyValue(mergeKey, out var kb) && StrategicValues.Same(ka, kb);
    }

    private static void RequireMergeKey(JsonNode? item, string mergeKey)
    {
        if (item is not JsonObject map) throw StrategicErrors.BadArgType("map[string]interface {}", item);
        if (!map.ContainsKey(mergeKey)) throw StrategicErrors.NoMergeKey(map, mergeKey);
    }
}
