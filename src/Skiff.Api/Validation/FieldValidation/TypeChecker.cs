using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Schema;

namespace Skiff.Api.Validation.FieldValidation;

/// <summary>
/// Finds the first value whose JSON type the kind's Go struct could not hold (a bool in a list of
/// strings, a string where an object belongs, 1.5 for an int32), as upstream's JSON decoder refuses
/// them, with its message: <c>json: cannot unmarshal bool into Go struct field ExecAction.spec.containers.livenessProbe.exec.command of type string</c>.
/// Null is always accepted (Go decodes it as the zero value). Stateless; thread-safe.
/// </summary>
public static class TypeChecker
{
    // Types that decode themselves; Quantity and IntOrString are handled by their own rules.
    private static readonly HashSet<string> SelfDecoding = new(StringComparer.Ordinal)
    {
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
    };

    /// <summary>The decoder's message for the first mismatch in <paramref name="obj"/>, or null when every value fits.</summary>
    public static string? FirstMismatch(JsonObject obj, DefinitionSchema schema)
    {
        string? found = null;
        Struct(obj, schema, "", ref found, root: true);
        return found;
    }

    private static void Struct(JsonObject obj, DefinitionSchema d, string path, ref string? found, bool root = false)
    {
        var structName = d.Name[(d.Name.LastIndexOf('.') + 1)..];
        foreach (var (key, value) in obj)
        {
            if (found is not null) return;
            if (root && key is "apiVersion" or "kind" && value is JsonValue) continue;
            if (d.Property(key) is not { } p || p.PreserveUnknownFields || p.EmbeddedResource) continue;
            var fieldPath = path.Length == 0 ? key : $"{path}.{key}";
            if (p.IntOrString) { IntOrString(value, structName, fieldPath, ref found); continue; }
            Value(value, p.Schema, structName, fieldPath, ref found);
        }
    }

    private static void Value(JsonNode? node, SchemaType t, string structName, string path, ref string? found)
    {
        if (node is null || found is not null) return;
        if (t.Ref is { } name)
        {
            if (SelfDecoding.Contains(name) || SchemaExtensions.Find(name) is not { } d) return;
            switch (d.Type)
            {
                case "object":
                    if (node is JsonObject o) Struct(o, d, path, ref found);
                    else found = Message(node, structName, path, GoName(name));
                    return;
                case "string" when d.Format == "int-or-string":
                    IntOrString(node, structName, path, ref found);
                    return;
                case "string" when name.EndsWith(".Quantity", StringComparison.Ordinal):
                    // resource.Quantity decodes quoted text or a bare number.
                    if (Kind(node) is not ("string" or "number")) found = Message(node, structName, path, "resource.Quantity");
                    return;
                case "string":
                    if (Kind(node) != "string") found = Message(node, structName, path, GoName(name));
                    return;
                default:
                    return;
            }
        }
        switch (t.Type)
        {
            case "string":
                if (Kind(node) != "string") found = Message(node, structName, path, t.Format == "byte" ? "[]uint8" : "string");
                return;
            case "boolean":
                if (Kind(node) != "bool") found = Message(node, structName, path, "bool");
                return;
            case "integer":
                var go = t.Format == "int64" ? "int64" : "int32";
                if (Kind(node) != "number") found = Message(node, structName, path, go);
                else if (node is JsonValue v && !IsWhole(v)) found = $"json: cannot unmarshal number {v.ToJsonString()} into Go struct field {structName}.{path} of type {go}";
                return;
            case "number":
                if (Kind(node) != "number") found = Message(node, structName, path, "float64");
                return;
            case "array" when t.Items is { } items:
                if (node is not JsonArray a) { found = Message(node, structName, path, "[]" + GoElement(items)); return; }
                foreach (var item in a)
                {
                    Value(item, items, structName, path, ref found);
                    if (found is not null) return;
                }
                return;
            case "object" when t.AdditionalProperties is { } values:
                if (node is not JsonObject m) { found = Message(node, structName, path, "map[string]" + GoElement(values)); return; }
                foreach (var (_, v) in m)
                {
                    Value(v, values, structName, path, ref found);
                    if (found is not null) return;
                }
                return;
        }
    }

    private static void IntOrString(JsonNode? node, string structName, string path, ref string? found)
    {
        if (node is null || found is not null) return;
        if (Kind(node) is not ("string" or "number")) found = Message(node, structName, path, "intstr.IntOrString");
    }

    private static bool IsWhole(JsonValue v) =>
        v.TryGetValue<long>(out _) || v.TryGetValue<int>(out _)
        || (v.TryGetValue<JsonElement>(out var e) && e.TryGetInt64(out _))
        || (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && !double.IsInfinity(d));

    private static string Kind(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "bool",
            _ => "null",
        },
        _ => "null",
    };

    private static string Message(JsonNode node, string structName, string path, string goType) =>
        $"json: cannot unmarshal {Kind(node)} into Go struct field {structName}.{path} of type {goType}";

    /// <summary>Go's package-qualified name: io.k8s.api.core.v1.ExecAction → v1.ExecAction.</summary>
    private static string GoName(string definition)
    {
        var parts = definition.Split('.');
        return parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : definition;
    }

    private static string GoElement(SchemaType t) => t.Ref is { } r ? GoName(r) : t.Type switch
    {
        "string" => "string",
        "boolean" => "bool",
        "integer" => t.Format == "int64" ? "int64" : "int32",
        "number" => "float64",
        "array" when t.Items is { } i => "[]" + GoElement(i),
        "object" when t.AdditionalProperties is { } v => "map[string]" + GoElement(v),
        _ => "interface {}",
    };
}
