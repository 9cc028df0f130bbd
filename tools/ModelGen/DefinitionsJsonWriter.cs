using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>Writes the document's "definitions" object as Generated/definitions.json: object keys sorted
/// ordinally at every level, "description" annotations removed, two-space indentation and '\n' line endings,
/// so the same input always gives the same bytes. Stateless; thread-safe.</summary>
internal static class DefinitionsJsonWriter
{
    public static (string Path, string Content) Write(SwaggerDocument doc)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = true,
                   NewLine = "\n",
                   // Keep patterns and quotes readable; the file is only ever parsed as JSON.
                   Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            WriteSorted(writer, doc.Definitions, isPropertyMap: false);
        }
        return ("Generated/definitions.json", Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonNode? node, bool isPropertyMap)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                // Inside "properties" a key named "description" is a field (JSONSchemaProps has one), not prose.
                foreach (var (key, value) in obj.Where(p => isPropertyMap || p.Key != "description").OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteSorted(writer, value, isPropertyMap: !isPropertyMap && key == "properties");
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array) WriteSorted(writer, item, isPropertyMap: false);
                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
