namespace Skiff.ModelGen;

/// <summary>
/// Turns the Kubernetes OpenAPI v2 document into Skiff.Api's generated sources: model classes per
/// group/version, the JSON serializers of the models the typed code uses, the x-kubernetes-* schema tables, the
/// built-in resource table and the definitions.json resource. Pure: the same text always gives the same
/// files, byte for byte. Thread-safe.
/// </summary>
public static class Generator
{
    /// <summary>Generates every file, keyed by path relative to src/Skiff.Api ("Models/Apps.V1.g.cs").</summary>
    public static IReadOnlyDictionary<string, string> Generate(string swaggerJson)
    {
        var doc = new SwaggerDocument(swaggerJson);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, content) in ModelWriter.Write(doc)) files.Add(path, content);
        foreach (var (path, content) in ModelJsonWriter.Write(doc)) files.Add(path, content);
        foreach (var (path, content) in new[]
                 {
                     SchemaTableWriter.Write(doc),
                     ResourceTableWriter.Write(doc),
                     DefinitionsJsonWriter.Write(doc),
                 })
            files.Add(path, content);
        return files;
    }

    /// <summary>True for files this generator owns, so stale ones (from a removed group/version) can be deleted.</summary>
    public static bool IsGeneratedPath(string relativePath) =>
        (relativePath.StartsWith("Models/", StringComparison.Ordinal) || relativePath.StartsWith("Generated/Json/", StringComparison.Ordinal))
            && relativePath.EndsWith(".g.cs", StringComparison.Ordinal)
        || relativePath is "Generated/SchemaExtensions.g.cs"
            or "Generated/BuiltinResources.g.cs" or "Generated/definitions.json";
}
