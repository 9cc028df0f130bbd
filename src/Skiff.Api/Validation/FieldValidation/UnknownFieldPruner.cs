using System.Text.Json.Nodes;
using Skiff.Api.Schema;

namespace Skiff.Api.Validation.FieldValidation;

/// <summary>
/// Removes from a decoded body the fields <see cref="UnknownFieldChecker"/> calls unknown. Upstream decodes a
/// built-in kind into Go structs, so under <c>fieldValidation=Warn</c> or <c>Ignore</c> unknown fields are silently
/// dropped and never stored or returned; a server that keeps bodies as JSON must drop them itself to match.
/// The same rules apply: map keys, self-decoding values (RawExtension, FieldsV1, apiextensions JSON) and
/// schema-less subtrees are kept; <c>apiVersion</c> and <c>kind</c> are kept at the top.
/// Not thread-safe for one object (it mutates it); the schema side is shared and immutable.
/// </summary>
public static class UnknownFieldPruner
{
    /// <summary>Removes unknown fields in place; returns how many were removed.</summary>
    public static int Prune(JsonObject body, DefinitionSchema schema) => Object(body, Shape.StructOf(schema), root: true);

    private static int Object(JsonObject obj, Shape shape, bool root)
    {
        var removed = 0;
        if (shape.Kind == ShapeKind.Struct)
        {
            var info = StructInfo.For(shape.Definition!);
            List<string>? unknown = null;
            foreach (var (name, value) in obj)
            {
                if (info.Index.Dictionary.TryGetValue(name, out var field))
                    removed += Value(value, info.Shapes[field]);
                else if (!(root && name is "apiVersion" or "kind"))
                    (unknown ??= []).Add(name);
            }
            if (unknown is not null)
                foreach (var name in unknown) obj.Remove(name);
            return removed + (unknown?.Count ?? 0);
        }

        var element = shape.Kind == ShapeKind.Map && shape.Element is { } e ? Shape.Of(e) : Shape.Opaque;
        if (element.Kind == ShapeKind.Opaque) return 0;
        foreach (var (_, value) in obj) removed += Value(value, element);
        return removed;
    }

    private static int Value(JsonNode? node, Shape shape) => (node, shape.Kind) switch
    {
        (JsonObject o, ShapeKind.Struct or ShapeKind.Map) => Object(o, shape, root: false),
        (JsonArray a, ShapeKind.Array) when shape.Element is { } items => Array(a, Shape.Of(items)),
        _ => 0,
    };

    private static int Array(JsonArray array, Shape items)
    {
        if (items.Kind == ShapeKind.Opaque) return 0;
        var removed = 0;
        foreach (var item in array) removed += Value(item, items);
        return removed;
    }
}
