using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>Tolerant readers over JsonNode paths: a missing or mistyped field reads as absent, because
/// a table must print whatever a stored object holds rather than fail the whole list.</summary>
internal static class Json
{
    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var p in path)
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(p, out node)) return null;
        }
        return node;
    }

    public static JsonObject? Obj(JsonNode? node, params string[] path) => At(node, path) as JsonObject;

    public static IEnumerable<JsonObject> Objs(JsonNode? node, params string[] path) =>
        At(node, path) is JsonArray a ? a.OfType<JsonObject>() : [];

    public static int Count(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonArray a => a.Count,
        JsonObject o => o.Count,
        _ => 0,
    };

    public static string? StrOrNull(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static string Str(JsonNode? node, params string[] path) => StrOrNull(node, path) ?? "";

    public static long? LongOrNull(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var l) ? l
        : At(node, path) is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var f) ? (long)f
        : null;

    public static long Long(JsonNode? node, params string[] path) => LongOrNull(node, path) ?? 0;

    public static bool? BoolOrNull(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        _ => null,
    };

    public static bool Bool(JsonNode? node, params string[] path) => BoolOrNull(node, path) ?? false;

    /// <summary>An RFC 3339 timestamp (metav1.Time or MicroTime); null when absent or unparsable.</summary>
    public static DateTimeOffset? Time(JsonNode? node, params string[] path) =>
        StrOrNull(node, path) is { Length: > 0 } s
        && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : null;

    /// <summary>An int-or-string field as Go's IntOrString.String() prints it.</summary>
    public static string? IntOrString(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => null,
    };

    /// <summary>A resource quantity as stored (the server keeps quantities canonical); "0" when absent,
    /// as a zero Quantity prints.</summary>
    public static string Quantity(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => "0",
    };

    public static string Name(JsonObject obj) => Str(obj, "metadata", "name");

    public static DateTimeOffset? Created(JsonObject obj) => Time(obj, "metadata", "creationTimestamp");

    public static string Age(JsonObject obj, DateTimeOffset now) => HumanDuration.Since(Created(obj), now);

    public static bool Deleting(JsonObject obj) => At(obj, "metadata", "deletionTimestamp") is JsonValue;
}
