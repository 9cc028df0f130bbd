using System.Collections.Concurrent;
using Skiff.Api.Schema;

namespace Skiff.Api.Validation.FieldValidation;

/// <summary>How upstream's Go decoder treats a value at a schema position, which decides what is unknown there.</summary>
internal enum ShapeKind : byte
{
    /// <summary>A primitive, or something decoded by its own Go type: not looked into.</summary>
    Opaque,
    /// <summary>A Go struct: only declared fields are known; repeated declared fields are duplicates.</summary>
    Struct,
    /// <summary>A map: any key; repeated keys are duplicates; values have <see cref="Shape.Element"/>.</summary>
    Map,
    Array,
    /// <summary>Schema-less JSON kept as is (x-kubernetes-preserve-unknown-fields): any key, duplicates reported.</summary>
    Untyped,
}

/// <summary>A schema position as the field checks need it: its <see cref="ShapeKind"/>, the definition of a struct,
/// the element schema of an array or map.</summary>
internal readonly record struct Shape(ShapeKind Kind, DefinitionSchema? Definition, SchemaType? Element)
{
    // Definitions whose Go types implement their own JSON decoding, so the strict decoder never looks inside.
    private static readonly HashSet<string> SelfDecoding = new(StringComparer.Ordinal)
    {
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
    };

    public static readonly Shape Opaque = new(ShapeKind.Opaque, null, null);
    public static readonly Shape Untyped = new(ShapeKind.Untyped, null, null);

    public static Shape StructOf(DefinitionSchema d) => new(ShapeKind.Struct, d, null);

    public static Shape Of(PropertySchema p)
    {
        if (p.PreserveUnknownFields || p.EmbeddedResource) return Untyped;
        if (p.IntOrString) return Opaque;
        return Of(p.Schema);
    }

    public static Shape Of(SchemaType t)
    {
        if (t.Ref is { } name)
        {
            var d = SchemaExtensions.Find(name);
            if (d is null || d.Type != "object" || SelfDecoding.Contains(name)) return Opaque;
            return StructOf(d);
        }
        if (t.IsArray && t.Items is not null) return new(ShapeKind.Array, null, t.Items);
        if (t.IsMap) return new(ShapeKind.Map, null, t.AdditionalProperties);
        return Opaque;
    }
}

/// <summary>
/// A definition's fields numbered once, with their value shapes resolved, so the walk looks a name up without
/// allocating and tracks repeated fields in a bit set. Built on first use per definition; immutable after.
/// </summary>
internal sealed class StructInfo
{
    private static readonly ConcurrentDictionary<DefinitionSchema, StructInfo> Cache = new(ReferenceEqualityComparer.Instance);

    public readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Index;
    public readonly Shape[] Shapes;

    private StructInfo(DefinitionSchema d)
    {
        var index = new Dictionary<string, int>(d.Properties.Count, StringComparer.Ordinal);
        Shapes = new Shape[d.Properties.Count];
        foreach (var p in d.Properties.Values)
        {
            Shapes[index.Count] = Shape.Of(p);
            index.Add(p.Name, index.Count);
        }
        Index = index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static StructInfo For(DefinitionSchema d) => Cache.GetOrAdd(d, static d => new StructInfo(d));
}
