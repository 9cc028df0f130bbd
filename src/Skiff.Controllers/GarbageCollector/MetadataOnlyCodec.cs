using System.Text.Json.Nodes;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// Keeps only apiVersion, kind and metadata (without managedFields) of each object, so the
/// collector's caches of every resource hold what it reads and nothing more. Stateless.
/// </summary>
internal sealed class MetadataOnlyCodec : IObjectCodec<JsonObject>
{
    public static MetadataOnlyCodec Instance { get; } = new();
    private static readonly JsonObjectCodec Json = JsonObjectCodec.Instance;

    public JsonObject Deserialize(ReadOnlySpan<byte> utf8Json) => Trim(Json.Deserialize(utf8Json));
    public async ValueTask<JsonObject> DeserializeAsync(Stream utf8Json, CancellationToken ct) => Trim(await Json.DeserializeAsync(utf8Json, ct));

    public async ValueTask<ObjectList<JsonObject>> DeserializeListAsync(Stream utf8Json, CancellationToken ct)
    {
        var list = await Json.DeserializeListAsync(utf8Json, ct);
        foreach (var item in list.Items) Trim(item);
        return list;
    }

    public byte[] Serialize(JsonObject obj, ResourceDescriptor resource) => Json.Serialize(obj, resource);
    public string? Name(JsonObject obj) => Json.Name(obj);
    public string? Namespace(JsonObject obj) => Json.Namespace(obj);
    public string? ResourceVersion(JsonObject obj) => Json.ResourceVersion(obj);
    public string? Uid(JsonObject obj) => Json.Uid(obj);
    public IEnumerable<string> OwnerUids(JsonObject obj) => Json.OwnerUids(obj);
    public void DropManagedFields(JsonObject obj) => Json.DropManagedFields(obj);

    private static JsonObject Trim(JsonObject obj)
    {
        foreach (var key in obj.Select(p => p.Key).Where(k => k is not ("apiVersion" or "kind" or "metadata")).ToList()) obj.Remove(key);
        (obj["metadata"] as JsonObject)?.Remove("managedFields");
        return obj;
    }
}
