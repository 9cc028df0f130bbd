using Skiff.Api.Meta;

namespace Skiff.Api.Schema;

/// <summary>
/// The shape of a schema position, enough to walk a field path: a definition reference, or a primitive
/// type (with format), or an array (<see cref="Items"/>) or a map (<see cref="AdditionalProperties"/>).
/// Immutable; thread-safe.
/// </summary>
/// <param name="Type">"object", "array", "string", "integer", "number", "boolean", or null for a bare $ref
/// or a schema that accepts any JSON.</param>
/// <param name="Format">"int32", "int64", "byte", "double", "date-time", "int-or-string", or null.</param>
/// <param name="Ref">The definition name this position refers to, e.g. "io.k8s.api.core.v1.Container".</param>
public sealed record SchemaType(string? Type, string? Format, string? Ref, SchemaType? Items, SchemaType? AdditionalProperties)
{
    public bool IsArray => Type == "array";
    public bool IsMap => Type == "object" && AdditionalProperties is not null;
}

/// <summary>
/// One property of a definition and the x-kubernetes-* extensions the patch engines and validators read.
/// Immutable; thread-safe.
/// </summary>
/// <param name="ListType">x-kubernetes-list-type: "atomic", "set" or "map".</param>
/// <param name="ListMapKeys">x-kubernetes-list-map-keys (for list-type "map"); empty when absent.</param>
/// <param name="PatchStrategy">x-kubernetes-patch-strategy, e.g. "merge", "retainKeys", "merge,retainKeys".</param>
/// <param name="PatchMergeKey">x-kubernetes-patch-merge-key, e.g. "name".</param>
/// <param name="MapType">x-kubernetes-map-type: "atomic" or "granular".</param>
public sealed record PropertySchema(
    string Name,
    SchemaType Schema,
    string? ListType = null,
    IReadOnlyList<string>? ListMapKeys = null,
    string? PatchStrategy = null,
    string? PatchMergeKey = null,
    string? MapType = null,
    bool IntOrString = false,
    bool PreserveUnknownFields = false,
    bool EmbeddedResource = false)
{
    public IReadOnlyList<string> ListMapKeys { get; init; } = ListMapKeys ?? [];
}

/// <summary>One x-kubernetes-unions entry: the discriminator field (if any) and, for each member field,
/// the discriminator value that selects it.</summary>
public sealed record UnionSchema(string? Discriminator, IReadOnlyDictionary<string, string> FieldsToDiscriminateBy);

/// <summary>
/// One OpenAPI definition: its GVKs, its required fields, its own extensions and its properties by JSON
/// name. Immutable; thread-safe.
/// </summary>
/// <param name="Name">e.g. "io.k8s.api.apps.v1.Deployment".</param>
/// <param name="Type">The definition's own type ("object"; "string" for Quantity and Time; null for free JSON).</param>
/// <param name="MapType">x-kubernetes-map-type on the definition ("atomic" for e.g. LabelSelector).</param>
public sealed record DefinitionSchema(
    string Name,
    string? Type,
    string? Format,
    IReadOnlyList<GroupVersionKind> GroupVersionKinds,
    IReadOnlyList<string> Required,
    string? MapType,
    IReadOnlyList<UnionSchema> Unions,
    IReadOnlyDictionary<string, PropertySchema> Properties)
{
    public PropertySchema? Property(string jsonName) => Properties.GetValueOrDefault(jsonName);
}
