using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>Writes Generated/SchemaExtensions.g.cs: every definition with its GVKs, required fields,
/// unions and, per property, its schema and x-kubernetes-* extensions, as C# data (one builder method
/// per package keeps each method small enough to JIT quickly). Stateless; thread-safe.</summary>
internal static class SchemaTableWriter
{
    public static (string Path, string Content) Write(SwaggerDocument doc)
    {
        var packages = doc.DefinitionNames
            .GroupBy(n => n[..n.LastIndexOf('.')])
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();

        var w = new CodeWriter();
        w.Line(CodeWriter.Header);
        w.Line("#nullable enable");
        w.Line("using Skiff.Api.Meta;");
        w.Line();
        w.Line("namespace Skiff.Api.Schema;");
        w.Line();
        w.Open("public static partial class SchemaExtensions");

        w.Open("private static Dictionary<string, DefinitionSchema> BuildDefinitions()");
        w.Line($"var d = new Dictionary<string, DefinitionSchema>({doc.DefinitionNames.Count}, StringComparer.Ordinal);");
        foreach (var package in packages) w.Line($"{MethodName(package.Key)}(d);");
        w.Line("return d;");
        w.Close();

        w.Line();
        w.Open("private static Dictionary<GroupVersionKind, string> BuildDefinitionsByKind() => new()");
        var seen = new HashSet<Gvk>();
        foreach (var name in doc.DefinitionNames)
        {
            foreach (var gvk in SwaggerDocument.GroupVersionKinds(doc.Definitions[name]!.AsObject()))
            {
                // A GVK tagged on two definitions would make the lookup ambiguous; the first (by name) wins.
                if (seen.Add(gvk)) w.Line($"[{Gvk(gvk)}] = {CodeWriter.Literal(name)},");
            }
        }
        w.Close(";");

        foreach (var package in packages)
        {
            w.Line();
            w.Open($"private static void {MethodName(package.Key)}(Dictionary<string, DefinitionSchema> d)");
            foreach (var name in package) WriteDefinition(w, name, doc.Definitions[name]!.AsObject());
            w.Close();
        }

        w.Close();
        return ("Generated/SchemaExtensions.g.cs", w.ToString());
    }

    private static string MethodName(string package) =>
        "Add" + string.Concat(package.Split('.', '-').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    private static string Gvk(Gvk g) => $"new({CodeWriter.Literal(g.Group)}, {CodeWriter.Literal(g.Version)}, {CodeWriter.Literal(g.Kind)})";

    private static void WriteDefinition(CodeWriter w, string name, JsonObject schema)
    {
        var gvks = string.Join(", ", SwaggerDocument.GroupVersionKinds(schema).Select(Gvk));
        var required = schema["required"] is JsonArray r ? string.Join(", ", r.Select(x => CodeWriter.Literal((string)x!))) : "";
        var unions = schema["x-kubernetes-unions"] is JsonArray u ? string.Join(", ", u.Select(x => Union(x!.AsObject()))) : "";
        var properties = schema["properties"] as JsonObject;

        var head = $"d.Add({CodeWriter.Literal(name)}, Def({CodeWriter.Literal(name)}, {CodeWriter.Literal((string?)schema["type"])}, " +
                   $"{CodeWriter.Literal((string?)schema["format"])}, [{gvks}], [{required}], " +
                   $"{CodeWriter.Literal((string?)schema["x-kubernetes-map-type"])}, [{unions}]";
        if (properties is null || properties.Count == 0)
        {
            w.Line(head + "));");
            return;
        }
        w.Line(head + ",");
        var i = 0;
        foreach (var (jsonName, node) in properties)
        {
            var last = ++i == properties.Count;
            w.Line("    " + Property(jsonName, node!.AsObject()) + (last ? "));" : ","));
        }
    }

    private static string Union(JsonObject union)
    {
        var fields = union["fields-to-discriminateBy"] is JsonObject f
            ? string.Join(", ", f.Select(p => $"[{CodeWriter.Literal(p.Key)}] = {CodeWriter.Literal((string?)p.Value)}"))
            : "";
        return $"new UnionSchema({CodeWriter.Literal((string?)union["discriminator"])}, new Dictionary<string, string> {{ {fields} }})";
    }

    private static string Property(string jsonName, JsonObject schema)
    {
        var args = new List<string> { CodeWriter.Literal(jsonName), Type(schema) };
        void Named(string arg, string? value)
        {
            if (value is not null) args.Add($"{arg}: {CodeWriter.Literal(value)}");
        }
        void Flag(string arg, string extension)
        {
            if (schema[extension] is JsonValue v && (bool)v) args.Add($"{arg}: true");
        }
        Named("ListType", (string?)schema["x-kubernetes-list-type"]);
        if (schema["x-kubernetes-list-map-keys"] is JsonArray keys)
            args.Add($"ListMapKeys: [{string.Join(", ", keys.Select(k => CodeWriter.Literal((string)k!)))}]");
        Named("PatchStrategy", (string?)schema["x-kubernetes-patch-strategy"]);
        Named("PatchMergeKey", (string?)schema["x-kubernetes-patch-merge-key"]);
        Named("MapType", (string?)schema["x-kubernetes-map-type"]);
        Flag("IntOrString", "x-kubernetes-int-or-string");
        Flag("PreserveUnknownFields", "x-kubernetes-preserve-unknown-fields");
        Flag("EmbeddedResource", "x-kubernetes-embedded-resource");
        return $"new PropertySchema({string.Join(", ", args)})";
    }

    /// <summary>A C# expression building the <c>SchemaType</c> of a schema position.</summary>
    private static string Type(JsonObject schema)
    {
        if (schema.ContainsKey("$ref")) return $"R({CodeWriter.Literal(TypeMapper.RefName(schema))})";
        var type = (string?)schema["type"];
        if (type == "array" && schema["items"] is JsonObject items) return $"A({Type(items)})";
        if (type == "object" && schema["additionalProperties"] is JsonObject values) return $"M({Type(values)})";
        var format = (string?)schema["format"];
        return format is null ? $"S({CodeWriter.Literal(type)})" : $"S({CodeWriter.Literal(type)}, {CodeWriter.Literal(format)})";
    }
}
