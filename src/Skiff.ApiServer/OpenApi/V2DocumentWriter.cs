using System.Buffers;
using System.Text.Json;
using Skiff.Api.Meta;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Renders the OpenAPI v2 (Swagger 2.0) document: planned paths plus every definition.
/// Parameters are written inline (no shared "#/parameters" section), which kubectl's
/// query-parameter check requires for dryRun and fieldValidation anyway. Stateless.
/// </summary>
public static class V2DocumentWriter
{
    public static byte[] Write(DocumentInfo info, IReadOnlyList<PathSpec> paths, DefinitionCatalog definitions)
    {
        var buffer = new ArrayBufferWriter<byte>(4 * 1024 * 1024);
        using (var w = new Utf8JsonWriter(buffer, JsonOutput.Options))
        {
            w.WriteStartObject();
            w.WriteString("swagger"u8, "2.0"u8);
            w.WriteStartObject("info"u8);
            w.WriteString("title"u8, info.Title);
            w.WriteString("version"u8, info.Version);
            w.WriteEndObject();

            w.WriteStartObject("paths"u8);
            foreach (var path in paths) WritePath(w, path);
            w.WriteEndObject();

            w.WriteStartObject("definitions"u8);
            foreach (var name in definitions.Names)
            {
                definitions.TryGet(name, out var schema);
                w.WritePropertyName(name);
                schema.WriteTo(w);
            }
            w.WriteEndObject();

            w.WriteStartObject("securityDefinitions"u8);
            w.WriteStartObject(DocumentInfo.SecuritySchemeName);
            w.WriteString("description"u8, "Bearer Token authentication"u8);
            w.WriteString("in"u8, "header"u8);
            w.WriteString("name"u8, "authorization"u8);
            w.WriteString("type"u8, "apiKey"u8);
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

    private static void WritePath(Utf8JsonWriter w, PathSpec path)
    {
        w.WriteStartObject(path.Path);
        foreach (var op in path.Operations) WriteOperation(w, op);
        if (path.Parameters.Count > 0) WriteParameters(w, path.Parameters);
        w.WriteEndObject();
    }

    private static void WriteOperation(Utf8JsonWriter w, OperationSpec op)
    {
        w.WriteStartObject(op.Method);
        WriteStrings(w, "consumes"u8, op.Consumes);
        w.WriteString("operationId"u8, op.OperationId);
        if (op.Parameters.Count > 0) WriteParameters(w, op.Parameters);
        WriteStrings(w, "produces"u8, op.Produces);
        w.WriteStartObject("responses"u8);
        foreach (var r in op.Responses)
        {
            w.WriteStartObject(r.Code);
            w.WriteString("description"u8, r.Description);
            if (r.Definition is not null || r.PrimitiveType is not null)
            {
                w.WritePropertyName("schema"u8);
                WriteSchemaReference(w, r.Definition, r.PrimitiveType);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        WriteStrings(w, "schemes"u8, ["https"]);
        WriteStrings(w, "tags"u8, [op.Tag]);
        if (op.Action is not null) w.WriteString("x-kubernetes-action"u8, op.Action);
        if (op.Gvk is { } gvk) WriteGvk(w, gvk);
        w.WriteEndObject();
    }

    private static void WriteParameters(Utf8JsonWriter w, IReadOnlyList<ParameterSpec> parameters)
    {
        w.WriteStartArray("parameters"u8);
        foreach (var p in parameters)
        {
            w.WriteStartObject();
            w.WriteString("in"u8, p.InText);
            w.WriteString("name"u8, p.Name);
            if (p.Required) w.WriteBoolean("required"u8, true);
            if (p.In == ParameterLocation.Body)
            {
                w.WritePropertyName("schema"u8);
                WriteSchemaReference(w, p.BodyDefinition, p.BodyDefinition is null ? "object" : null);
            }
            else
            {
                w.WriteString("type"u8, p.Type);
                w.WriteBoolean("uniqueItems"u8, true);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    internal static void WriteSchemaReference(Utf8JsonWriter w, string? definition, string? primitiveType, string refPrefix = DefinitionCatalog.V2RefPrefix)
    {
        w.WriteStartObject();
        if (definition is not null) w.WriteString("$ref"u8, refPrefix + definition);
        else w.WriteString("type"u8, primitiveType ?? "object");
        w.WriteEndObject();
    }

    internal static void WriteGvk(Utf8JsonWriter w, GroupVersionKind gvk)
    {
        w.WriteStartObject("x-kubernetes-group-version-kind"u8);
        w.WriteString("group"u8, gvk.Group);
        w.WriteString("kind"u8, gvk.Kind);
        w.WriteString("version"u8, gvk.Version);
        w.WriteEndObject();
    }

    internal static void WriteStrings(Utf8JsonWriter w, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
