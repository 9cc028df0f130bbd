namespace Skiff.ModelGen;

/// <summary>Writes the [JsonSerializable] list of the source-generated SkiffJsonContext: one entry per
/// model class, each with a unique TypeInfo name (several groups share class names such as Scale or
/// Subject). Stateless; thread-safe.</summary>
internal static class JsonContextWriter
{
    public static (string Path, string Content) Write(SwaggerDocument doc)
    {
        var w = new CodeWriter();
        w.Line(CodeWriter.Header);
        w.Line("#nullable enable");
        w.Line("using System.Text.Json.Serialization;");
        w.Line();
        w.Line("namespace Skiff.Api.Json;");
        w.Line();
        foreach (var name in ModelWriter.ClassDefinitions(doc))
            w.Line($"[JsonSerializable(typeof({Names.FullClassName(name)}), TypeInfoPropertyName = {CodeWriter.Literal(Names.TypeInfoName(name))})]");
        // Collections are named explicitly too: the generator's own names (ListCondition) collide across groups.
        foreach (var collection in CollectionTypes(doc))
            w.Line($"[JsonSerializable(typeof({collection.Name}), TypeInfoPropertyName = {CodeWriter.Literal(collection.InfoName)})]");
        w.Line("public partial class SkiffJsonContext;");
        return ("Generated/SkiffJsonContext.g.cs", w.ToString());
    }

    private static IEnumerable<CsType> CollectionTypes(SwaggerDocument doc)
    {
        var found = new SortedDictionary<string, CsType>(StringComparer.Ordinal);
        foreach (var name in ModelWriter.ClassDefinitions(doc))
        {
            if (doc.Definitions[name]!["properties"] is not System.Text.Json.Nodes.JsonObject properties) continue;
            foreach (var (jsonName, schema) in properties)
            {
                // A property with its own converter (a map of timestamps) is serialized by that converter.
                var type = TypeMapper.Map(schema!.AsObject(), $"{name}.{jsonName}");
                if (type is { IsCollection: true, Converter: null }) found.TryAdd(type.InfoName, type);
            }
        }
        return found.Values;
    }
}
