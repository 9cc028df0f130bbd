using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Skiff.Api.Schema;

namespace Skiff.Api.Tests.Patch;

/// <summary>Runs a strategic merge patch over JSON text and compares results as JSON (order of object keys
/// ignored, order of list elements significant).</summary>
internal static class StrategicPatchAssert
{
    public const string Pod = "io.k8s.api.core.v1.Pod";
    public const string Service = "io.k8s.api.core.v1.Service";
    public const string Deployment = "io.k8s.api.apps.v1.Deployment";

    public static JsonObject Apply(string original, string patch, string? definition)
    {
        var schema = definition is null ? null : SchemaExtensions.Find(definition) ?? throw new InvalidOperationException($"no definition {definition}");
        return (JsonObject)StrategicMergePatch.Apply(Parse(original), JsonNode.Parse(patch), schema);
    }

    public static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;

    public static void Equal(string expected, JsonNode? actual)
    {
        var want = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(want, actual), $"expected {want?.ToJsonString()}\n  actual {actual?.ToJsonString()}");
    }

    /// <summary>Fails when any object in the tree still has a key that is a patch directive.</summary>
    public static void NoDirectives(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    Assert.False(key is "$patch" or "$retainKeys" || key.StartsWith("$setElementOrder") || key.StartsWith("$deleteFromPrimitiveList"),
                        $"directive {key} left in {map.ToJsonString()}");
                    NoDirectives(value);
                }
                break;
            case JsonArray list:
                foreach (var item in list) NoDirectives(item);
                break;
        }
    }
}
