using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Skiff.Api.Schema;

namespace Skiff.Api.FieldManagement;

internal enum ShapeKind { Scalar, Struct, Map, List, Untyped }

internal enum ListKind { Atomic, Set, Map }

/// <summary>
/// A schema position as structured-merge-diff sees it (its "atom"): a scalar; a struct (a definition's
/// fields); a map (every key shares one value shape); a list (atomic, set, or map keyed by fields); or
/// untyped, whose shape is deduced from the value (objects are granular maps, lists are atomic).
/// Built from the generated schema tables the way upstream's schema converter reads the OpenAPI
/// extensions. Immutable; thread-safe.
/// </summary>
internal sealed class Shape
{
    private static readonly ConcurrentDictionary<string, Shape> DefinitionShapes = new(StringComparer.Ordinal);

    public static readonly Shape Scalar = new(ShapeKind.Scalar);
    public static readonly Shape Untyped = new(ShapeKind.Untyped);
    private static readonly Shape UntypedMap = new(ShapeKind.Map) { Element = Untyped };
    private static readonly Shape UntypedList = new(ShapeKind.List) { Element = Untyped, Atomic = true };

    /// <summary>Defaults of list-map key fields, from the OpenAPI v3 document (the v2 one has none).</summary>
    private static readonly Dictionary<(string Definition, string Field), JsonNode> KeyDefaults = new()
    {
        [("io.k8s.api.core.v1.ContainerPort", "protocol")] = JsonValue.Create("TCP"),
        [("io.k8s.api.core.v1.ServicePort", "protocol")] = JsonValue.Create("TCP"),
    };

    private Shape(ShapeKind kind) => Kind = kind;

    public ShapeKind Kind { get; }
    public bool Atomic { get; private init; }
    public DefinitionSchema? Definition { get; private init; }
    public Shape? Element { get; private init; }
    public ListKind List { get; private init; }
    public IReadOnlyList<string> Keys { get; private init; } = [];

    /// <summary>The shape of a kind; null (a kind without a schema, e.g. a CRD without one) is untyped.</summary>
    public static Shape Of(DefinitionSchema? definition) => definition is null ? Untyped : FromDefinition(definition, null);

    private static Shape FromDefinition(DefinitionSchema definition, string? propertyMapType)
    {
        var atomic = propertyMapType == "atomic" || (propertyMapType is null && definition.MapType == "atomic");
        if (definition.Properties.Count == 0)
        {
            // Quantity, Time, IntOrString and friends are strings or numbers on the wire; RawExtension and
            // JSON have no type at all.
            return definition.Type is null or "object" ? Untyped : Scalar;
        }
        if (!atomic) return DefinitionShapes.GetOrAdd(definition.Name, _ => new Shape(ShapeKind.Struct) { Definition = definition });
        return new Shape(ShapeKind.Struct) { Definition = definition, Atomic = true };
    }

    public static Shape Of(PropertySchema property) => FromType(property.Schema, property);

    private static Shape FromType(SchemaType type, PropertySchema? property)
    {
        if (property?.IntOrString == true) return Scalar;
        if (type.Ref is { } reference)
            return SchemaExtensions.Find(reference) is { } definition ? FromDefinition(definition, property?.MapType) : Untyped;
        if (type.IsArray)
        {
            var element = type.Items is null ? Untyped : FromType(type.Items, null);
            var (kind, keys) = ListKindOf(property);
            return new Shape(ShapeKind.List) { Element = element, List = kind, Keys = keys, Atomic = kind == ListKind.Atomic };
        }
        if (type.IsMap)
            return new Shape(ShapeKind.Map) { Element = FromType(type.AdditionalProperties!, null), Atomic = property?.MapType == "atomic" };
        return type.Type switch
        {
            "string" or "integer" or "number" or "boolean" => Scalar,
            _ => Untyped,
        };
    }

    /// <summary>x-kubernetes-list-type wins; without it a list with patch strategy merge is a map list keyed
    /// by its merge key (a set without one), and every other list is atomic.</summary>
    private static (ListKind, IReadOnlyList<string>) ListKindOf(PropertySchema? property)
    {
        switch (property?.ListType)
        {
            case "atomic": return (ListKind.Atomic, []);
            case "set": return (ListKind.Set, []);
            case "map": return (ListKind.Map, property.ListMapKeys);
        }
        var strategy = property?.PatchStrategy;
        if (strategy is "merge" or "merge,retainKeys")
            return property!.PatchMergeKey is { } key ? (ListKind.Map, [key]) : (ListKind.Set, []);
        return (ListKind.Atomic, []);
    }

    /// <summary>The shape of one field of a struct or one value of a map; a field the schema does not
    /// declare is untyped (upstream rejects it; Skiff tolerates it so unknown fields survive).</summary>
    public Shape Field(string name) => Kind switch
    {
        ShapeKind.Struct => Definition!.Property(name) is { } p ? Of(p) : Untyped,
        ShapeKind.Map => Element!,
        _ => Untyped,
    };

    /// <summary>True for a field the struct declares (as opposed to a map key or an unknown field).</summary>
    public bool Declares(string name) => Kind == ShapeKind.Struct && Definition!.Property(name) is not null;

    /// <summary>The concrete shape for a value: untyped positions become a granular map, an atomic list,
    /// or a scalar by what the value is.</summary>
    public Shape Resolve(JsonNode? value) => Kind != ShapeKind.Untyped ? this : value switch
    {
        JsonObject => UntypedMap,
        JsonArray => UntypedList,
        null => this,
        _ => Scalar,
    };

    /// <summary>The path element of one list item: its key fields, its value, or its index.</summary>
    /// <exception cref="ApplyException">The item cannot be keyed (missing key, wrong type).</exception>
    public PathElement ItemElement(int index, JsonNode? item)
    {
        if (List == ListKind.Set && !Atomic)
        {
            if (item is JsonObject or JsonArray or null)
                throw new ApplyException($"associative list without keys has an element that's {(item is null ? "an explicit null" : "a map or list")}");
            return PathElement.ForValue(item);
        }
        if (List == ListKind.Map && !Atomic && Keys.Count > 0)
        {
            if (item is not JsonObject obj) throw new ApplyException("associative list with keys may not have non-map elements");
            var fields = new List<KeyValuePair<string, JsonNode?>>(Keys.Count);
            foreach (var key in Keys)
            {
                if (obj.TryGetPropertyValue(key, out var value)) fields.Add(KeyValuePair.Create(key, value));
                else if (Element?.Definition is { } d && KeyDefaults.TryGetValue((d.Name, key), out var def)) fields.Add(KeyValuePair.Create(key, (JsonNode?)def));
                else throw new ApplyException($"associative list with keys has an element that omits key field \"{key}\" (and doesn't have default value)");
            }
            return PathElement.ForKey(fields);
        }
        return PathElement.ForIndex(index);
    }
}

/// <summary>An object or applied configuration that does not fit its schema (e.g. a map-list item without
/// its key); the API server answers with 400 BadRequest, or 500 for a stored object.</summary>
public sealed class ApplyException(string message) : Exception(message);
