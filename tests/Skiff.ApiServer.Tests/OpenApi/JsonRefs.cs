using System.Text.Json;

namespace Skiff.ApiServer.Tests.OpenApi;

internal static class JsonRefs
{
    /// <summary>Every string-valued "$ref" anywhere under <paramref name="e"/>.</summary>
    public static IEnumerable<string> All(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "$ref" && p.Value.ValueKind == JsonValueKind.String) yield return p.Value.GetString()!;
                    else foreach (var r in All(p.Value)) yield return r;
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                    foreach (var r in All(item)) yield return r;
                break;
        }
    }
}
