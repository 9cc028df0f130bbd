using System.Text.Json.Nodes;

namespace Skiff.Api.Patch;

/// <summary>RFC 7386 JSON Merge Patch: objects merge recursively, null deletes, anything else replaces.</summary>
public static class JsonMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/> and returns the result
    /// (the target is modified in place when both are objects).</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject po) return patch?.DeepClone();
        var to = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in po)
        {
            if (value is null) to.Remove(key);
            else if (value is JsonObject)
            {
                var existing = to[key];
                if (existing is JsonObject) Apply(existing, value);
                else to[key] = Apply(null, value);
            }
            else to[key] = value.DeepClone();
        }
        return to;
    }
}
