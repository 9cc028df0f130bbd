using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>How a value is read and written on the wire: the generated serializers (ModelJsonWriter) switch on it.</summary>
internal enum WireKind { Model, String, Boolean, Int32, Int64, Double, Bytes, Quantity, IntOrString, Time, MicroTime, Json, List, Map, TimeMap }

/// <summary>The C# shape of a schema: its type name, whether it is a value type (so "?" makes it
/// Nullable), and a property-level converter when the wire form needs one (for reflection-based
/// System.Text.Json, which only tests use: the product serializes through ModelJsonWriter's code).</summary>
/// <param name="Kind">Its wire form.</param>
/// <param name="Element">The item type of a list, the value type of a map.</param>
internal sealed record CsType(string Name, bool IsValueType, WireKind Kind, CsType? Element = null, string? Converter = null)
{
    public string Nullable => Name + "?";
}

/// <summary>Maps OpenAPI schemas to C# types. Stateless; thread-safe.</summary>
internal static class TypeMapper
{
    public const string QuantityDef = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string IntOrStringDef = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string TimeDef = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
    public const string MicroTimeDef = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";

    private static readonly CsType JsonElement = new("global::System.Text.Json.JsonElement", true, WireKind.Json);
    private static readonly CsType DateTime = new("global::System.DateTimeOffset", true, WireKind.Time);

    /// <summary>Definitions that get no generated class: scalars with their own wire format, and
    /// free-form JSON (RawExtension, apiextensions JSON and the JSONSchemaPropsOr* unions, FieldsV1,
    /// Patch) which is held as a JsonElement so any content survives.</summary>
    public static readonly IReadOnlyDictionary<string, CsType> Special = new Dictionary<string, CsType>(StringComparer.Ordinal)
    {
        [QuantityDef] = new("global::Skiff.Api.Models.Quantity", true, WireKind.Quantity),
        [IntOrStringDef] = new("global::Skiff.Api.Models.IntOrString", true, WireKind.IntOrString),
        [TimeDef] = DateTime with { Converter = "global::Skiff.Api.Json.TimeConverter" },
        [MicroTimeDef] = DateTime with { Kind = WireKind.MicroTime, Converter = "global::Skiff.Api.Json.MicroTimeConverter" },
        ["io.k8s.apimachinery.pkg.runtime.RawExtension"] = JsonElement,
        ["io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"] = JsonElement,
        ["io.k8s.apimachinery.pkg.apis.meta.v1.Patch"] = JsonElement,
        ["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON"] = JsonElement,
        ["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray"] = JsonElement,
        ["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool"] = JsonElement,
        ["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray"] = JsonElement,
    };

    public static string RefName(JsonNode schema) =>
        ((string)schema["$ref"]!).Replace("#/definitions/", "", StringComparison.Ordinal);

    public static CsType Map(JsonObject schema, string where)
    {
        if (schema.ContainsKey("$ref"))
        {
            var target = RefName(schema);
            return Special.TryGetValue(target, out var special) ? special : new CsType(Names.FullClassName(target), false, WireKind.Model);
        }
        if (schema["x-kubernetes-preserve-unknown-fields"] is JsonValue preserve && (bool)preserve) return JsonElement;
        if (schema["x-kubernetes-int-or-string"] is JsonValue ios && (bool)ios) return Special[IntOrStringDef];

        var type = (string?)schema["type"];
        var format = (string?)schema["format"];
        switch (type)
        {
            case "string":
                if (format == "byte") return new("byte[]", false, WireKind.Bytes);
                if (format == "int-or-string") return Special[IntOrStringDef];
                if (format == "date-time") return Special[TimeDef];
                return new("string", false, WireKind.String);
            case "boolean": return new("bool", true, WireKind.Boolean);
            case "integer": return format == "int32" ? new("int", true, WireKind.Int32) : new("long", true, WireKind.Int64);
            case "number": return new("double", true, WireKind.Double);
            case "array":
            {
                var items = Map(schema["items"]!.AsObject(), where + "[]");
                if (items.Converter is not null)
                    throw new InvalidOperationException($"{where}: an array of {items.Name} needs a converter ModelGen has none for.");
                return new($"global::System.Collections.Generic.List<{items.Name}>", false, WireKind.List, items);
            }
            case "object" when schema["additionalProperties"] is JsonObject values:
            {
                var value = Map(values, where + "{}");
                var name = $"global::System.Collections.Generic.Dictionary<string, {value.Name}>";
                if (value.Kind == WireKind.Time)
                    return new(name, false, WireKind.TimeMap, value, "global::Skiff.Api.Json.TimeMapConverter");
                if (value.Converter is not null)
                    throw new InvalidOperationException($"{where}: a map of {value.Name} needs a converter ModelGen has none for.");
                return new(name, false, WireKind.Map, value);
            }
            case "object":
            case null:
                return JsonElement;
            default:
                throw new InvalidOperationException($"{where}: unknown schema type '{type}'.");
        }
    }
}
