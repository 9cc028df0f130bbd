using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>What each Table row carries besides its cells (the includeObject parameter).</summary>
public enum IncludeObjectPolicy
{
    /// <summary>No object: "object": null.</summary>
    None,
    /// <summary>A PartialObjectMetadata with the object's metadata: upstream's default.</summary>
    Metadata,
    /// <summary>The full object.</summary>
    Object,
}

/// <summary>Options of one Table response.</summary>
/// <param name="IncludeObject">What rows carry.</param>
/// <param name="NoHeaders">Leave out the column definitions (watch events after the first, kubectl --no-headers).</param>
/// <param name="ApiVersion">meta.k8s.io/v1, or meta.k8s.io/v1beta1 when that is what the client asked for.</param>
public sealed record TableWriteOptions(
    IncludeObjectPolicy IncludeObject = IncludeObjectPolicy.Metadata,
    bool NoHeaders = false,
    string ApiVersion = "meta.k8s.io/v1")
{
    public static TableWriteOptions Default { get; } = new();

    /// <summary>Parses the includeObject query value; empty or missing means Metadata. False for anything else,
    /// which upstream answers with 400 Bad Request.</summary>
    public static bool TryParseIncludeObject(string? value, out IncludeObjectPolicy policy)
    {
        policy = value switch
        {
            null or "" or "Metadata" => IncludeObjectPolicy.Metadata,
            "Object" => IncludeObjectPolicy.Object,
            "None" => IncludeObjectPolicy.None,
            _ => (IncludeObjectPolicy)(-1),
        };
        return Enum.IsDefined(policy);
    }
}

/// <summary>The list metadata of a Table: copied from the list (or, for a single object, its resourceVersion).</summary>
public sealed record TableListMetadata(string? ResourceVersion = null, string? Continue = null, long? RemainingItemCount = null);

/// <summary>
/// Writes meta.k8s.io Table JSON straight to a <see cref="Utf8JsonWriter"/>, the body kubectl asks for with
/// <c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>.
/// </summary>
/// <remarks>Stateless; the objects are only read. Callers own the writer and flush it.</remarks>
public static class TableJsonWriter
{
    /// <summary>Writes a whole Table: kind, apiVersion, metadata, columnDefinitions and one row per item.</summary>
    public static void WriteTable(
        Utf8JsonWriter writer, ITableConvertor convertor, IEnumerable<JsonObject> items,
        TableListMetadata metadata, DateTimeOffset now, TableWriteOptions? options = null)
    {
        options ??= TableWriteOptions.Default;
        writer.WriteStartObject();
        writer.WriteString("kind"u8, "Table"u8);
        writer.WriteString("apiVersion"u8, options.ApiVersion);
        writer.WriteStartObject("metadata"u8);
        if (!string.IsNullOrEmpty(metadata.ResourceVersion)) writer.WriteString("resourceVersion"u8, metadata.ResourceVersion);
        if (!string.IsNullOrEmpty(metadata.Continue)) writer.WriteString("continue"u8, metadata.Continue);
        if (metadata.RemainingItemCount is { } remaining) writer.WriteNumber("remainingItemCount"u8, remaining);
        writer.WriteEndObject();

        if (options.NoHeaders) writer.WriteNull("columnDefinitions"u8);
        else WriteColumnDefinitions(writer, convertor.Columns);

        writer.WriteStartArray("rows"u8);
        foreach (var item in items) WriteRow(writer, convertor, item, now, options);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteColumnDefinitions(Utf8JsonWriter writer, IReadOnlyList<TableColumnDefinition> columns)
    {
        writer.WriteStartArray("columnDefinitions"u8);
        foreach (var c in columns)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, c.Name);
            writer.WriteString("type"u8, c.Type);
            writer.WriteString("format"u8, c.Format);
            writer.WriteString("description"u8, c.Description);
            writer.WriteNumber("priority"u8, c.Priority);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>Writes one row object (cells, conditions when any, object); also what a Table watch event wraps.</summary>
    public static void WriteRow(Utf8JsonWriter writer, ITableConvertor convertor, JsonObject item, DateTimeOffset now, TableWriteOptions? options = null)
    {
        options ??= TableWriteOptions.Default;
        writer.WriteStartObject();
        writer.WriteStartArray("cells"u8);
        foreach (var cell in convertor.Cells(item, now)) WriteCell(writer, cell);
        writer.WriteEndArray();

        var conditions = convertor.Conditions(item);
        if (conditions.Count > 0)
        {
            writer.WriteStartArray("conditions"u8);
            foreach (var c in conditions)
            {
                writer.WriteStartObject();
                writer.WriteString("type"u8, c.Type);
                writer.WriteString("status"u8, c.Status);
                if (c.Reason.Length > 0) writer.WriteString("reason"u8, c.Reason);
                if (c.Message.Length > 0) writer.WriteString("message"u8, c.Message);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }

        writer.WritePropertyName("object"u8);
        switch (options.IncludeObject)
        {
            case IncludeObjectPolicy.Object:
                item.WriteTo(writer);
                break;
            case IncludeObjectPolicy.Metadata:
                writer.WriteStartObject();
                writer.WriteString("kind"u8, "PartialObjectMetadata"u8);
                writer.WriteString("apiVersion"u8, options.ApiVersion);
                writer.WritePropertyName("metadata"u8);
                if (item["metadata"] is JsonObject meta) meta.WriteTo(writer);
                else { writer.WriteStartObject(); writer.WriteEndObject(); }
                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
        writer.WriteEndObject();
    }

    private static void WriteCell(Utf8JsonWriter writer, object? cell)
    {
        switch (cell)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long l: writer.WriteNumberValue(l); break;
            case int i: writer.WriteNumberValue(i); break;
            case double d: writer.WriteNumberValue(d); break;
            case JsonNode n: n.WriteTo(writer); break;
            default: writer.WriteStringValue(Convert.ToString(cell, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }
}
