using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Defaulting;

/// <summary>
/// Field setters with Go's idea of "unset", because upstream defaults by zero value: a plain
/// string is unset when absent, null or ""; a plain integer when absent, null or 0; a pointer
/// (or map, slice, struct pointer) only when absent or null. A value the user set is never touched.
/// </summary>
internal static class JsonFields
{
    public static void DefaultString(JsonObject obj, string key, string value)
    {
        if (IsEmptyString(obj[key])) obj[key] = value;
    }

    public static void DefaultPointer(JsonObject obj, string key, JsonNode value)
    {
        if (obj[key] is null) obj[key] = value;
    }

    public static void DefaultNonZero(JsonObject obj, string key, int value)
    {
        var node = obj[key];
        if (node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == 0))
            obj[key] = value;
    }

    /// <summary>The child object, created empty when absent or null (a Go struct value, or a pointer defaulted to {}).</summary>
    public static JsonObject Ensure(JsonObject obj, string key)
    {
        if (obj[key] is JsonObject child) return child;
        child = new JsonObject();
        obj[key] = child;
        return child;
    }

    public static JsonObject? Child(JsonObject? obj, string key) => obj?[key] as JsonObject;

    public static JsonObject? Child(JsonObject? obj, string key, string key2) => Child(Child(obj, key), key2);

    public static IEnumerable<JsonObject> Items(JsonObject? obj, string key) =>
        obj?[key] is JsonArray array ? array.OfType<JsonObject>() : [];

    public static string? String(JsonObject? obj, string key) =>
        obj?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static bool IsTrue(JsonObject? obj, string key) =>
        obj?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>True for an object with at least one property (a Go map with len > 0).</summary>
    public static bool IsNonEmptyObject(JsonNode? node) => node is JsonObject o && o.Count > 0;

    /// <summary>True for an array with at least one element (a Go slice with len > 0).</summary>
    public static bool IsNonEmptyArray(JsonNode? node) => node is JsonArray a && a.Count > 0;

    public static bool IsEmptyString(JsonNode? node) =>
        node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0);

    public static bool IsZeroNumber(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == 0;
}
