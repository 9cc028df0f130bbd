using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>A group/version/kind as the document tags it.</summary>
internal readonly record struct Gvk(string Group, string Version, string Kind);

/// <summary>The parsed OpenAPI v2 document with its definitions in ordinal name order and its paths in
/// document order, after <see cref="DocumentFixups"/>. Read-only after construction.</summary>
internal sealed class SwaggerDocument
{
    public SwaggerDocument(string json)
    {
        var root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })!.AsObject();
        Definitions = root["definitions"]!.AsObject();
        Paths = root["paths"]!.AsObject();
        DocumentFixups.Apply(Definitions);
        DefinitionNames = Definitions.Select(d => d.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
    }

    public JsonObject Definitions { get; }
    public JsonObject Paths { get; }
    public IReadOnlyList<string> DefinitionNames { get; }

    public static IReadOnlyList<Gvk> GroupVersionKinds(JsonObject node) =>
        node["x-kubernetes-group-version-kind"] is JsonArray list
            ? list.Select(g => ToGvk(g!.AsObject())).ToList()
            : [];

    public static Gvk ToGvk(JsonObject g) => new((string)g["group"]!, (string)g["version"]!, (string)g["kind"]!);
}
