using System.Buffers;
using System.Text.Json;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Renders one OpenAPI 3.0 document (one group/version, or "api", "apis", "apis/{group}",
/// "version") from its planned paths: parameters become schema-typed parameters, body
/// parameters become requestBody, responses get one content entry per produced media type, and
/// components.schemas holds exactly the definitions the paths reach, with refs rewritten to
/// "#/components/schemas/…" ($ref with sibling keywords wrapped in allOf, as upstream). Stateless.
/// </summary>
public static class V3DocumentWriter
{
    public const string V3RefPrefix = "#/components/schemas/";

    public static byte[] Write(DocumentInfo info, IReadOnlyList<PathSpec> paths, DefinitionCatalog definitions)
    {
        var schemas = definitions.Closure(Roots(paths));

        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        using (var w = new Utf8JsonWriter(buffer, JsonOutput.Options))
        {
            w.WriteStartObject();
            w.WriteString("openapi"u8, "3.0.0"u8);
            w.WriteStartObject("info"u8);
            w.WriteString("title"u8, info.Title);
            w.WriteString("version"u8, info.Version);
            w.WriteEndObject();

            w.WriteStartObject("paths"u8);
            foreach (var path in paths) WritePath(w, path);
            w.WriteEndObject();

            w.WriteStartObject("components"u8);
            w.WriteStartObject("schemas"u8);
            foreach (var name in schemas)
            {
                definitions.TryGet(name, out var schema);
                w.WritePropertyName(name);
                SchemaConverter.WriteV3(w, schema);
            }
            w.WriteEndObject();
            w.WriteStartObject("securitySchemes"u8);
            w.WriteStartObject(DocumentInfo.SecuritySchemeName);
            w.WriteString("type"u8, "apiKey"u8);
            w.WriteString("description"u8, "Bearer Token authentication"u8);
            w.WriteString("name"u8, "authorization"u8);
            w.WriteString("in"u8, "header"u8);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteStartArray("security"u8);
            w.WriteStartObject();
            w.WriteStartArray(DocumentInfo.SecuritySchemeName);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The definitions the operations of these paths name directly (bodies and responses).</summary>
    public static IEnumerable<string> Roots(IEnumerable<PathSpec> paths) =>
        paths.SelectMany(p => p.Operations)
            .SelectMany(o => o.Parameters.Select(p => p.BodyDefinition).Concat(o.Responses.Select(r => r.Definition)))
            .OfType<string>();

    private static void WritePath(Utf8JsonWriter w, PathSpec path)
    {
        w.WriteStartObject(path.Path);
        foreach (var op in path.Operations) WriteOperation(w, op);
        WriteParameters(w, path.Parameters);
        w.WriteEndObject();
    }

    private static void WriteOperation(Utf8JsonWriter w, OperationSpec op)
    {
        w.WriteStartObject(op.Method);
        V2DocumentWriter.WriteStrings(w, "tags"u8, [op.Tag]);
        w.WriteString("operationId"u8, op.OperationId);
        WriteParameters(w, op.Parameters);

        var body = op.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Body);
        if (body is not null)
        {
            w.WriteStartObject("requestBody"u8);
            w.WriteStartObject("content"u8);
            foreach (var media in op.Consumes)
            {
                w.WriteStartObject(media);
                w.WritePropertyName("schema"u8);
                V2DocumentWriter.WriteSchemaReference(w, body.BodyDefinition, "object", V3RefPrefix);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            if (body.Required) w.WriteBoolean("required"u8, true);
            w.WriteEndObject();
        }

        w.WriteStartObject("responses"u8);
        foreach (var r in op.Responses)
        {
            w.WriteStartObject(r.Code);
            w.WriteString("description"u8, r.Description);
            if (r.Definition is not null || r.PrimitiveType is not null)
            {
                w.WriteStartObject("content"u8);
                foreach (var media in op.Produces)
                {
                    w.WriteStartObject(media);
                    w.WritePropertyName("schema"u8);
                    V2DocumentWriter.WriteSchemaReference(w, r.Definition, r.PrimitiveType, V3RefPrefix);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        if (op.Action is not null) w.WriteString("x-kubernetes-action"u8, op.Action);
        if (op.Gvk is { } gvk) V2DocumentWriter.WriteGvk(w, gvk);
        w.WriteEndObject();
    }

    private static void WriteParameters(Utf8JsonWriter w, IReadOnlyList<ParameterSpec> parameters)
    {
        var nonBody = parameters.Where(p => p.In != ParameterLocation.Body).ToList();
        if (nonBody.Count == 0) return;
        w.WriteStartArray("parameters"u8);
        foreach (var p in nonBody)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, p.Name);
            w.WriteString("in"u8, p.InText);
            if (p.Required) w.WriteBoolean("required"u8, true);
            w.WriteStartObject("schema"u8);
            w.WriteString("type"u8, p.Type);
            w.WriteBoolean("uniqueItems"u8, true);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
