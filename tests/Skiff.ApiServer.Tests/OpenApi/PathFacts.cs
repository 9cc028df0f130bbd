using System.Text.Json;

namespace Skiff.ApiServer.Tests.OpenApi;

/// <summary>
/// Flattens a Swagger path item into comparable one-line facts (operation ids, actions, GVKs,
/// media types, parameters with where they sit, responses), so two documents can be compared
/// as sets and a difference reads as one line.
/// </summary>
internal static class PathFacts
{
    public static SortedSet<string> Of(string path, JsonElement item, Func<JsonElement, JsonElement> resolve)
    {
        var facts = new SortedSet<string>(StringComparer.Ordinal);
        if (item.TryGetProperty("parameters", out var shared))
            foreach (var p in shared.EnumerateArray()) facts.Add($"{path} [path] param {Parameter(resolve(p))}");
        foreach (var op in item.EnumerateObject())
        {
            if (op.Name == "parameters") continue;
            var o = op.Value;
            var prefix = $"{path} {op.Name}";
            facts.Add($"{prefix} id={Str(o, "operationId")}");
            facts.Add($"{prefix} action={Str(o, "x-kubernetes-action")}");
            if (o.TryGetProperty("x-kubernetes-group-version-kind", out var gvk))
                facts.Add($"{prefix} gvk={Str(gvk, "group")}/{Str(gvk, "version")}/{Str(gvk, "kind")}");
            facts.Add($"{prefix} consumes={Join(o, "consumes")}");
            facts.Add($"{prefix} produces={Join(o, "produces")}");
            facts.Add($"{prefix} tags={Join(o, "tags")}");
            if (o.TryGetProperty("parameters", out var ps))
                foreach (var p in ps.EnumerateArray()) facts.Add($"{prefix} param {Parameter(resolve(p))}");
            foreach (var r in o.GetProperty("responses").EnumerateObject())
                facts.Add($"{prefix} response {r.Name} {(r.Value.TryGetProperty("schema", out var s) ? Schema(s) : "-")}");
        }
        return facts;
    }

    private static string Parameter(JsonElement p)
    {
        var required = p.TryGetProperty("required", out var r) && r.GetBoolean();
        var type = p.TryGetProperty("schema", out var s) ? Schema(s) : Str(p, "type");
        return $"{Str(p, "name")} in={Str(p, "in")} type={type} required={required}";
    }

    private static string Schema(JsonElement s) =>
        s.TryGetProperty("$ref", out var r) ? r.GetString()! : "type:" + Str(s, "type");

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static string Join(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? string.Join(",", v.EnumerateArray().Select(x => x.GetString())) : "";
}
