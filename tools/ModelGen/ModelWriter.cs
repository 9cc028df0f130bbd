using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>Writes one file of model classes per API group/version (Models/Apps.V1.g.cs): every
/// property nullable, named by [JsonPropertyName], and an extension-data bag so unknown fields survive a
/// round trip. Stateless; thread-safe.</summary>
internal static class ModelWriter
{
    private const string ExtensionData = "ExtensionData";
    private const string GroupVersionKind = "GroupVersionKind";

    /// <summary>Definitions that become classes, in ordinal name order.</summary>
    public static IEnumerable<string> ClassDefinitions(SwaggerDocument doc) =>
        doc.DefinitionNames.Where(n => !TypeMapper.Special.ContainsKey(n));

    public static IEnumerable<(string Path, string Content)> Write(SwaggerDocument doc)
    {
        foreach (var package in ClassDefinitions(doc).GroupBy(Names.PackageSuffix).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var w = new CodeWriter();
            w.Line(CodeWriter.Header);
            w.Line("#nullable enable");
            w.Line("using System.Text.Json.Serialization;");
            w.Line();
            w.Line($"namespace {Names.ModelsNamespace}.{package.Key};");
            foreach (var name in package)
            {
                w.Line();
                WriteClass(w, name, doc.Definitions[name]!.AsObject());
            }
            yield return ($"Models/{package.Key}.g.cs", w.ToString());
        }
    }

    private static void WriteClass(CodeWriter w, string definitionName, JsonObject schema)
    {
        var className = Names.ClassName(definitionName);
        var gvks = SwaggerDocument.GroupVersionKinds(schema);

        w.Line($"/// <summary>OpenAPI definition <c>{definitionName}</c>.</summary>");
        w.Open($"public sealed partial class {className}");
        if (gvks.Count == 1)
        {
            var g = gvks[0];
            w.Line("/// <summary>The group, version and kind this class is served as.</summary>");
            w.Line($"public static global::Skiff.Api.Meta.GroupVersionKind {GroupVersionKind} {{ get; }} = new({CodeWriter.Literal(g.Group)}, {CodeWriter.Literal(g.Version)}, {CodeWriter.Literal(g.Kind)});");
            w.Line();
        }

        foreach (var (jsonName, type, member) in Properties(definitionName, schema))
        {
            w.Line($"[JsonPropertyName({CodeWriter.Literal(jsonName)})]");
            if (type.Converter is not null) w.Line($"[JsonConverter(typeof({type.Converter}))]");
            w.Line($"public {type.Nullable} {member} {{ get; set; }}");
            w.Line();
        }

        w.Line("/// <summary>Fields this model does not know, kept so that they survive a round trip.</summary>");
        w.Line("[JsonExtensionData]");
        w.Line($"public global::System.Collections.Generic.Dictionary<string, global::System.Text.Json.JsonElement>? {ExtensionData} {{ get; set; }}");
        w.Close();
    }

    /// <summary>A class's properties in the schema's order: the JSON name, the C# type and the member's name.</summary>
    public static IEnumerable<(string JsonName, CsType Type, string Member)> Properties(string definitionName, JsonObject schema)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal) { Names.ClassName(definitionName).TrimStart('@'), ExtensionData };
        if (SwaggerDocument.GroupVersionKinds(schema).Count == 1) taken.Add(GroupVersionKind);
        if (schema["properties"] is not JsonObject properties) yield break;
        foreach (var (jsonName, node) in properties)
            yield return (jsonName, TypeMapper.Map(node!.AsObject(), $"{definitionName}.{jsonName}"), UniqueMemberName(Names.PropertyName(jsonName), taken));
    }

    private static string UniqueMemberName(string wanted, HashSet<string> taken)
    {
        var name = wanted;
        if (taken.Contains(name.TrimStart('@'))) name = wanted + "Value";
        for (var i = 2; taken.Contains(name.TrimStart('@')); i++) name = wanted + "Value" + i;
        taken.Add(name.TrimStart('@'));
        return name;
    }
}
