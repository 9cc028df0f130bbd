using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>Small JSON manifests for tests.</summary>
public static class Objects
{
    public static string ConfigMap(string name, string value, string? resourceVersion = null)
    {
        var meta = new JsonObject { ["name"] = name };
        if (resourceVersion is not null) meta["resourceVersion"] = resourceVersion;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = meta,
            ["data"] = new JsonObject { ["v"] = value },
        }.ToJsonString();
    }
}
