using System.Text.Json;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Rewrites a Swagger 2.0 schema as an OpenAPI 3.0 schema while copying it: "$ref" targets move
/// from "#/definitions/" to "#/components/schemas/", and a "$ref" that has sibling keywords
/// (which OpenAPI 3.0 would ignore) is wrapped as allOf:[{$ref}] beside them. Walks only
/// schema positions (properties, items, additionalProperties, allOf/anyOf/oneOf/not), so a
/// property that happens to be named "$ref" is left alone. Stateless.
/// </summary>
internal static class SchemaConverter
{
    public static void WriteV3(Utf8JsonWriter w, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            schema.WriteTo(w);
            return;
        }

        string? reference = null;
        var count = 0;
        foreach (var p in schema.EnumerateObject())
        {
            count++;
            if (p.NameEquals("$ref") && p.Value.ValueKind == JsonValueKind.String) reference = p.Value.GetString();
        }

        w.WriteStartObject();
        if (reference is not null)
        {
            var target = Rewrite(reference);
            if (count == 1)
            {
                w.WriteString("$ref"u8, target);
                w.WriteEndObject();
                return;
            }
            w.WriteStartArray("allOf"u8);
            w.WriteStartObject();
            w.WriteString("$ref"u8, target);
            w.WriteEndObject();
            w.WriteEndArray();
        }

        foreach (var p in schema.EnumerateObject())
        {
            if (p.NameEquals("$ref") && reference is not null) continue;
            w.WritePropertyName(p.Name);
            if (p.NameEquals("properties") && p.Value.ValueKind == JsonValueKind.Object)
            {
                w.WriteStartObject();
                foreach (var prop in p.Value.EnumerateObject())
                {
                    w.WritePropertyName(prop.Name);
                    WriteV3(w, prop.Value);
                }
                w.WriteEndObject();
            }
            else if (p.NameEquals("items") || p.NameEquals("additionalProperties") || p.NameEquals("not"))
            {
                WriteV3OrArray(w, p.Value);
            }
            else if (p.NameEquals("allOf") || p.NameEquals("anyOf") || p.NameEquals("oneOf"))
            {
                WriteV3OrArray(w, p.Value);
            }
            else
            {
                p.Value.WriteTo(w);
            }
        }
        w.WriteEndObject();
    }

    private static void WriteV3OrArray(Utf8JsonWriter w, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            w.WriteStartArray();
            foreach (var item in value.EnumerateArray()) WriteV3(w, item);
            w.WriteEndArray();
        }
        else WriteV3(w, value);
    }

    private static string Rewrite(string reference) =>
        reference.StartsWith(DefinitionCatalog.V2RefPrefix, StringComparison.Ordinal)
            ? V3DocumentWriter.V3RefPrefix + reference[DefinitionCatalog.V2RefPrefix.Length..]
            : reference;
}
