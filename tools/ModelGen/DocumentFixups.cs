using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>
/// Repairs known damage in the shared document before anything is generated from it. The copy in
/// ../shared had every key named "description" removed, which also took out three real string fields
/// named "description" (a CRD schema's, its externalDocs', and PriorityClass's). Without them the models
/// would still round-trip those fields through extension data, but the schema tables and
/// /openapi/v2 would not know them. Stateless; thread-safe.
/// </summary>
internal static class DocumentFixups
{
    private static readonly string[] DefinitionsWithDescriptionField =
    [
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps",
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ExternalDocumentation",
        "io.k8s.api.scheduling.v1.PriorityClass",
    ];

    public static void Apply(JsonObject definitions)
    {
        foreach (var name in DefinitionsWithDescriptionField)
        {
            if (definitions[name]?["properties"] is not JsonObject properties || properties.ContainsKey("description")) continue;
            var sorted = properties
                .Select(p => (p.Key, Value: p.Value?.DeepClone()))
                .Append(("description", new JsonObject { ["type"] = "string" }))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .ToList();
            properties.Clear();
            foreach (var (key, value) in sorted) properties.Add(key, value);
        }
    }
}
