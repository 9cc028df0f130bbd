using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Dynamic;

/// <summary>
/// Codec for objects of any kind as <see cref="JsonObject"/> trees (custom resources, kinds without a
/// model). Stateless; safe from any thread (the objects themselves are not thread-safe to mutate).
/// </summary>
public sealed class JsonObjectCodec : IObjectCodec<JsonObject>
{
    public static JsonObjectCodec Instance { get; } = new();

    public JsonObject Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonNode.Parse(utf8Json) as JsonObject ?? throw new JsonException("expected a JSON object");

    public async ValueTask<JsonObject> DeserializeAsync(Stream utf8Json, CancellationToken ct) =>
        await JsonNode.ParseAsync(utf8Json, cancellationToken: ct).ConfigureAwait(false) as JsonObject
        ?? throw new JsonException("expected a JSON object");

    public async ValueTask<ObjectList<JsonObject>> DeserializeListAsync(Stream utf8Json, CancellationToken ct)
    {
        var list = await DeserializeAsync(utf8Json, ct).ConfigureAwait(false);
        var items = new List<JsonObject>();
        if (list["items"] is JsonArray array)
        {
            // Detach each item so it can be cached or changed without holding the whole list alive.
            var nodes = array.ToArray();
            array.Clear();
            foreach (var n in nodes) if (n is JsonObject o) items.Add(o);
        }
        var meta = list["metadata"] as JsonObject;
        var cont = Str(meta, "continue");
        return new ObjectList<JsonObject>(items, Str(meta, "resourceVersion") ?? "", string.IsNullOrEmpty(cont) ? null : cont,
            meta?["remainingItemCount"] is JsonValue v && v.TryGetValue<long>(out var n2) ? n2 : null);
    }

    public byte[] Serialize(JsonObject obj, ResourceDescriptor resource)
    {
        if (string.IsNullOrEmpty(Str(obj, "apiVersion"))) obj["apiVersion"] = resource.ApiVersion;
        if (string.IsNullOrEmpty(Str(obj, "kind"))) obj["kind"] = resource.Kind;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer)) obj.WriteTo(w);
        return buffer.WrittenSpan.ToArray();
    }

    public string? Name(JsonObject obj) => Str(Meta(obj), "name");
    public string? Namespace(JsonObject obj) => Str(Meta(obj), "namespace");
    public string? ResourceVersion(JsonObject obj) => Str(Meta(obj), "resourceVersion");
    public string? Uid(JsonObject obj) => Str(Meta(obj), "uid");

    public IEnumerable<string> OwnerUids(JsonObject obj)
    {
        if (Meta(obj)?["ownerReferences"] is not JsonArray owners) yield break;
        foreach (var o in owners)
            if (Str(o as JsonObject, "uid") is { Length: > 0 } uid) yield return uid;
    }

    public void DropManagedFields(JsonObject obj) => Meta(obj)?.Remove("managedFields");

    private static JsonObject? Meta(JsonObject obj) => obj["metadata"] as JsonObject;

    private static string? Str(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
