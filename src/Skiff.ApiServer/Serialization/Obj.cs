using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Json;

namespace Skiff.ApiServer.Serialization;

/// <summary>Small accessors for objects held as <see cref="JsonObject"/> (the generic API server's form).</summary>
public static class Obj
{
    /// <summary>Go's encoding escapes only what JSON requires (and &lt;, &gt;, &amp;); quotes stay \" as clients expect in messages.</summary>
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writer options for every response body.</summary>
    public static readonly JsonWriterOptions Writer = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Meta(JsonObject o)
    {
        if (o["metadata"] is JsonObject m) return m;
        m = new JsonObject();
        o["metadata"] = m;
        return m;
    }

    public static string? Str(JsonNode? n, string prop) =>
        n is JsonObject o && o[prop] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string Name(JsonObject o) => Str(o["metadata"], "name") ?? "";
    public static string Namespace(JsonObject o) => Str(o["metadata"], "namespace") ?? "";

    public static Dictionary<string, string>? Labels(JsonObject o) => StringMap(o["metadata"]?["labels"]);

    public static Dictionary<string, string>? StringMap(JsonNode? n)
    {
        if (n is not JsonObject m) return null;
        var d = new Dictionary<string, string>(m.Count);
        foreach (var (k, v) in m)
            if (v is JsonValue jv && jv.TryGetValue<string>(out var s)) d[k] = s;
        return d;
    }

    /// <summary>Reads a dotted field path ("spec.nodeName") as the string form used by field selectors.</summary>
    public static string? FieldValue(JsonObject o, string path)
    {
        JsonNode? n = o;
        foreach (var part in path.Split('.'))
        {
            if (n is not JsonObject jo) return null;
            n = jo[part];
        }
        return n switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            JsonValue v => v.ToJsonString(),
            _ => n.ToJsonString(),
        };
    }

    public static byte[] ToUtf8(JsonNode n)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, Writer)) n.WriteTo(w);
        return buffer.WrittenSpan.ToArray();
    }

    public static string Now() => KubernetesTime.FormatTime(DateTimeOffset.UtcNow);

    /// <summary>Deep equality of two JSON trees (object key order ignored).</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);
}
