using Skiff.Api.Schema;

namespace Skiff.Api.Patch;

/// <summary>
/// Where in the schema a JSON object of the patch sits: a definition (each field has its own patch metadata),
/// the values of a map (every key shares one value schema and no patch metadata), or nowhere known
/// (<see cref="Unknown"/>: every field merges like JSON merge patch and every list is replaced, as upstream
/// does for types it has no metadata for). Immutable.
/// </summary>
internal readonly struct StrategicSchema
{
    private readonly DefinitionSchema? _definition;
    private readonly SchemaType? _mapValues;

    private StrategicSchema(DefinitionSchema? definition, SchemaType? mapValues)
    {
        _definition = definition;
        _mapValues = mapValues;
    }

    public static StrategicSchema Unknown => default;

    public static StrategicSchema Of(DefinitionSchema? definition) => new(definition, null);

    /// <summary>The object schema a field's type refers to, or <see cref="Unknown"/>.</summary>
    public static StrategicSchema Of(SchemaType? type)
    {
        if (type is null) return Unknown;
        if (type.Ref is { } reference) return Of(SchemaExtensions.Find(reference));
        return type.IsMap ? new StrategicSchema(null, type.AdditionalProperties) : Unknown;
    }

    /// <summary>Names the position in messages, as upstream names the Go type.</summary>
    public string Name => _definition?.Name ?? (_mapValues is null ? "unknown" : "map");

    /// <summary>The patch metadata of one field; <see cref="StrategicField.Unknown"/> when the schema has none.</summary>
    public StrategicField Field(string name)
    {
        if (_definition?.Property(name) is { } property) return StrategicField.From(property);
        return _mapValues is null ? StrategicField.Unknown : new StrategicField(null, false, null, _mapValues);
    }
}

/// <summary>
/// One field's patch metadata: its patch strategy ("merge", "replace" or none; "retainKeys" split off into
/// <see cref="RetainKeys"/>), its merge key, and its type to walk further down. Only the patch strategy counts:
/// an <c>x-kubernetes-list-type: map</c> list without <c>x-kubernetes-patch-strategy: merge</c> is replaced
/// whole, because upstream's strategic merge reads the Go struct tags, not the list type.
/// </summary>
internal readonly record struct StrategicField(string? Strategy, bool RetainKeys, string? MergeKey, SchemaType? Type)
{
    public static StrategicField Unknown => default;

    public bool Merges => Strategy == StrategicDirectives.Merge;
    public bool Replaces => Strategy == StrategicDirectives.Replace;

    /// <summary>The schema of the field's value when it is an object.</summary>
    public StrategicSchema Object => StrategicSchema.Of(Type);

    /// <summary>The schema of the field's elements when it is a list.</summary>
    public StrategicSchema Element => StrategicSchema.Of(Type?.Items);

    public static StrategicField From(PropertySchema property)
    {
        string? strategy = null;
        var retainKeys = false;
        foreach (var part in (property.PatchStrategy ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == StrategicDirectives.RetainKeysStrategy) retainKeys = true;
            else strategy = part;
        }
        return new StrategicField(strategy, retainKeys, property.PatchMergeKey, property.Schema);
    }
}
