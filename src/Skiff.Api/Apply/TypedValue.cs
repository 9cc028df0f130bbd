using System.Text.Json.Nodes;

namespace Skiff.Api.FieldManagement;

/// <summary>A JSON position that may be absent (as opposed to present and null).</summary>
internal readonly record struct Slot(bool Present, JsonNode? Node)
{
    public static readonly Slot Absent = default;
    public static Slot Of(JsonNode? node) => new(true, node);

    public static Slot Get(JsonObject obj, string key) => obj.TryGetPropertyValue(key, out var v) ? Of(v) : Absent;

    /// <summary>Absent, null, or an empty list or object: what upstream treats as a leaf when both sides are.</summary>
    public bool IsEmptyish => !Present || Node is null || Node is JsonObject { Count: 0 } || Node is JsonArray { Count: 0 };
}

/// <summary>What changed between two objects, as three field sets. No path is in more than one.</summary>
public sealed record Comparison(FieldSet Added, FieldSet Modified, FieldSet Removed)
{
    public bool IsSame => Added.IsEmpty && Modified.IsEmpty && Removed.IsEmpty;
}

/// <summary>
/// structured-merge-diff's operations on a value of a known shape: the set of fields it sets, the
/// comparison of two values, the merge of an applied configuration into an object, and the removal of
/// fields and items. Pure functions; inputs are never modified (results are fresh nodes).
/// </summary>
internal static class TypedValue
{
    // ---- ToFieldSet ----------------------------------------------------------------------------

    /// <summary>Every leaf field and list item the value sets: scalars, atomic lists and maps, list items
    /// (and their fields), map keys, and struct fields set to null or {}.</summary>
    public static FieldSet ToFieldSet(JsonNode? value, Shape shape)
    {
        var set = new FieldSet();
        ToFieldSet(value, shape, [], set);
        return set;
    }

    private static void ToFieldSet(JsonNode? value, Shape shape, List<PathElement> path, FieldSet set)
    {
        shape = shape.Resolve(value);
        switch (shape.Kind)
        {
            case ShapeKind.List:
                if (shape.Atomic) { set.Insert(path); return; }
                if (value is not JsonArray list) return;
                for (var i = 0; i < list.Count; i++)
                {
                    path.Add(shape.ItemElement(i, list[i]));
                    ToFieldSet(list[i], shape.Element!, path, set);
                    set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }
                return;
            case ShapeKind.Struct or ShapeKind.Map:
                if (shape.Atomic) { set.Insert(path); return; }
                if (value is not JsonObject obj) return;
                foreach (var (key, child) in obj)
                {
                    path.Add(PathElement.Field(key));
                    ToFieldSet(child, shape.Field(key), path, set);
                    if (!shape.Declares(key) || child is null || child is JsonObject { Count: 0 }) set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }
                return;
            case ShapeKind.Untyped:
                // Only a null reaches here; the parent records it when it is a map key.
                return;
            default:
                set.Insert(path);
                return;
        }
    }

    /// <summary>The set plus every declared struct field that has something under it, so removing such a
    /// field removes what it holds (upstream's EnsureNamedFieldsAreMembers).</summary>
    public static FieldSet WithNamedFieldsAsMembers(FieldSet set, Shape shape)
    {
        var result = new FieldSet();
        Copy(set, shape, result);
        return result;

        static void Copy(FieldSet from, Shape shape, FieldSet to)
        {
            foreach (var m in from.Members) to.InsertMember(m);
            foreach (var (element, child) in from.Children)
            {
                if (child.IsEmpty) continue;
                Shape childShape;
                if (element.Kind == PathElementKind.Field)
                {
                    if (shape.Declares(element.FieldName)) to.InsertMember(element);
                    childShape = shape.Field(element.FieldName);
                }
                else childShape = shape.Element ?? Shape.Untyped;
                Copy(child, childShape, to.Descend(element));
            }
        }
    }

    // ---- Merge and Compare -------------------------------------------------------------------

    /// <summary>The applied configuration merged into the object: the configuration's values win at
    /// leaves; map lists merge by key, sets union, maps and structs merge by field; nothing is removed.</summary>
    public static JsonNode? Merge(JsonNode? live, JsonNode? config, Shape shape) =>
        Walk(Slot.Of(live), Slot.Of(config), shape, [], null).Node;

    public static Comparison Compare(JsonNode? lhs, JsonNode? rhs, Shape shape)
    {
        var c = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
        Walk(Slot.Of(lhs), Slot.Of(rhs), shape, [], c);
        return c;
    }

    /// <summary>One walk for both merge (comparison null) and compare, as upstream shares its merging
    /// walker: leaves keep the right-hand side, or record added/modified/removed.</summary>
    private static Slot Walk(Slot lhs, Slot rhs, Shape shape, List<PathElement> path, Comparison? comparison)
    {
        var lshape = shape.Resolve(lhs.Node);
        var rshape = shape.Resolve(rhs.Node);
        var resolved = !rhs.Present || rhs.Node is null ? lshape : rshape;
        var kindsDiffer = lhs.Present && rhs.Present && lhs.Node is not null && rhs.Node is not null && lshape.Kind != rshape.Kind;

        var isLeaf = kindsDiffer || resolved.Atomic || resolved.Kind is ShapeKind.Scalar or ShapeKind.Untyped
            || (lhs.IsEmptyish && rhs.IsEmptyish)
            || (resolved.Kind == ShapeKind.List && !(AsArrayOrNull(lhs) is not null || AsArrayOrNull(rhs) is not null))
            || (resolved.Kind is ShapeKind.Struct or ShapeKind.Map && !(AsObjectOrNull(lhs) is not null || AsObjectOrNull(rhs) is not null));
        if (isLeaf)
        {
            if (comparison is not null)
            {
                if (!lhs.Present) comparison.Added.Insert(path);
                else if (!rhs.Present) comparison.Removed.Insert(path);
                else if (!JsonValues.Equal(lhs.Node, rhs.Node)) comparison.Modified.Insert(path);
                return Slot.Absent;
            }
            return rhs.Present ? Slot.Of(rhs.Node?.DeepClone()) : lhs.Present ? Slot.Of(lhs.Node?.DeepClone()) : Slot.Absent;
        }

        var result = resolved.Kind == ShapeKind.List
            ? WalkList(AsArrayOrNull(lhs), AsArrayOrNull(rhs), resolved, path, comparison)
            : WalkMap(AsObjectOrNull(lhs), AsObjectOrNull(rhs), resolved, path, comparison);
        if (comparison is not null)
        {
            if (!lhs.Present) comparison.Added.Insert(path);
            else if (!rhs.Present) comparison.Removed.Insert(path);
        }
        return result;
    }

    private static JsonArray? AsArrayOrNull(Slot s) => s.Node as JsonArray;
    private static JsonObject? AsObjectOrNull(Slot s) => s.Node as JsonObject;

    private static Slot WalkMap(JsonObject? lhs, JsonObject? rhs, Shape shape, List<PathElement> path, Comparison? comparison)
    {
        var output = new JsonObject();
        void Visit(string key, Slot l, Slot r)
        {
            path.Add(PathElement.Field(key));
            var child = Walk(l, r, shape.Field(key), path, comparison);
            path.RemoveAt(path.Count - 1);
            if (child.Present) output[key] = child.Node;
        }
        if (lhs is not null)
            foreach (var (key, value) in lhs)
                Visit(key, Slot.Of(value), rhs is null ? Slot.Absent : Slot.Get(rhs, key));
        if (rhs is not null)
            foreach (var (key, value) in rhs)
                if (lhs is null || !lhs.ContainsKey(key))
                    Visit(key, Slot.Absent, Slot.Of(value));
        return output.Count > 0 ? Slot.Of(output) : Slot.Absent;
    }

    private static Slot WalkList(JsonArray? lhs, JsonArray? rhs, Shape shape, List<PathElement> path, Comparison? comparison)
    {
        var output = new JsonArray();
        foreach (var (element, l, r) in PairItems(lhs, rhs, shape, rejectDuplicateRight: comparison is null))
        {
            path.Add(element);
            var child = Walk(l, r, shape.Element!, path, comparison);
            path.RemoveAt(path.Count - 1);
            if (child.Present) output.Add(child.Node);
        }
        return output.Count > 0 ? Slot.Of(output) : Slot.Absent;
    }

    /// <summary>The items of two associative lists paired by path element, in upstream's merged order:
    /// the right-hand order for items on the right, left-hand items that the right lacks kept in place.</summary>
    private static IEnumerable<(PathElement, Slot, Slot)> PairItems(JsonArray? lhs, JsonArray? rhs, Shape shape, bool rejectDuplicateRight)
    {
        var (lOrder, lItems) = Index(lhs, shape, rejectDuplicates: false);
        var (rOrder, rItems) = Index(rhs, shape, rejectDuplicates: rejectDuplicateRight);
        var shared = new Queue<PathElement>(rOrder.Where(lItems.ContainsKey));
        PathElement? nextShared = shared.Count > 0 ? shared.Dequeue() : null;
        void Advance(PathElement emitted)
        {
            if (nextShared is { } n && n.Equals(emitted)) nextShared = shared.Count > 0 ? shared.Dequeue() : null;
        }

        int li = 0, ri = 0;
        while (li < lOrder.Count || ri < rOrder.Count)
        {
            if (li < lOrder.Count && ri < rOrder.Count)
            {
                var pe = lOrder[li];
                if (pe.Equals(rOrder[ri]))
                {
                    yield return (pe, Slot.Of(lItems[pe]), Slot.Of(rItems[pe]));
                    li++;
                    ri++;
                    Advance(pe);
                    continue;
                }
                if (rItems.ContainsKey(pe) && nextShared is { } n && !n.Equals(pe))
                {
                    li++;
                    continue;
                }
            }
            if (li < lOrder.Count && !rItems.ContainsKey(lOrder[li]))
            {
                var pe = lOrder[li++];
                yield return (pe, Slot.Of(lItems[pe]), Slot.Absent);
                continue;
            }
            if (ri < rOrder.Count)
            {
                var pe = rOrder[ri++];
                yield return (pe, lItems.TryGetValue(pe, out var l) ? Slot.Of(l) : Slot.Absent, Slot.Of(rItems[pe]));
                Advance(pe);
                continue;
            }
            li++; // a left item already merged through the right-hand order
        }
    }

    private static (List<PathElement>, Dictionary<PathElement, JsonNode?>) Index(JsonArray? list, Shape shape, bool rejectDuplicates)
    {
        var order = new List<PathElement>();
        var items = new Dictionary<PathElement, JsonNode?>();
        if (list is null) return (order, items);
        for (var i = 0; i < list.Count; i++)
        {
            var pe = shape.ItemElement(i, list[i]);
            if (!items.TryAdd(pe, list[i]))
            {
                if (rejectDuplicates) throw new ApplyException($"duplicate entries for key {pe}");
                continue;
            }
            order.Add(pe);
        }
        return (order, items);
    }

    // ---- RemoveItems --------------------------------------------------------------------------

    /// <summary>The value without the given fields and items (and all they hold). A map or list left
    /// empty by the removal is dropped from its parent rather than kept as null.</summary>
    public static JsonNode? RemoveItems(JsonNode? value, FieldSet toRemove, Shape shape)
    {
        shape = shape.Resolve(value);
        if (toRemove.IsEmpty || shape.Atomic) return value?.DeepClone();
        switch (value)
        {
            case JsonArray list when shape.Kind == ShapeKind.List:
            {
                var output = new JsonArray();
                for (var i = 0; i < list.Count; i++)
                {
                    var pe = shape.ItemElement(i, list[i]);
                    if (toRemove.HasMember(pe)) continue;
                    var item = toRemove.Child(pe) is { } subset ? RemoveItems(list[i], subset, shape.Element!) : list[i]?.DeepClone();
                    if (item is not null || list[i] is null) output.Add(item);
                }
                return output.Count > 0 ? output : null;
            }
            case JsonObject obj when shape.Kind is ShapeKind.Struct or ShapeKind.Map:
            {
                var output = new JsonObject();
                foreach (var (key, child) in obj)
                {
                    var pe = PathElement.Field(key);
                    if (toRemove.HasMember(pe)) continue;
                    if (toRemove.Child(pe) is { } subset && !subset.IsEmpty)
                    {
                        var kept = RemoveItems(child, subset, shape.Field(key));
                        if (kept is not null || child is null) output[key] = kept;
                    }
                    else output[key] = child?.DeepClone();
                }
                return output.Count > 0 ? output : null;
            }
            default:
                return value?.DeepClone();
        }
    }

    /// <summary>Drops properties set to null in structs, as a round trip through upstream's Go types does
    /// for the optional fields an applied configuration nulls out.</summary>
    public static void RemoveNullFields(JsonNode? value, Shape shape)
    {
        shape = shape.Resolve(value);
        if (shape.Atomic) return;
        switch (value)
        {
            case JsonObject obj when shape.Kind is ShapeKind.Struct or ShapeKind.Map:
                foreach (var key in obj.Where(p => p.Value is null && shape.Kind == ShapeKind.Struct).Select(p => p.Key).ToList()) obj.Remove(key);
                foreach (var (key, child) in obj) RemoveNullFields(child, shape.Field(key));
                break;
            case JsonArray list when shape.Kind == ShapeKind.List:
                foreach (var item in list) RemoveNullFields(item, shape.Element!);
                break;
        }
    }
}
