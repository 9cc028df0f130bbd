using System.Text;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// The JSONPath subset CRDs use for printer columns and scale paths: <c>.a.b</c>, <c>.a[0].b</c>,
/// <c>.metadata.labels.app\.kubernetes\.io/name</c> (a backslash escapes a dot) and <c>.a['b.c']</c>.
/// Stateless and thread-safe.
/// </summary>
public static class SimpleJsonPath
{
    /// <summary>One step: a field name, or an array index.</summary>
    public readonly record struct Step(string? Field, int Index);

    /// <summary>Null when <paramref name="path"/> is usable, else upstream's complaint.</summary>
    public static string? Check(string path)
    {
        if (path.Length == 0) return "must not be empty";
        if (path[0] != '.') return "must be a simple json path starting with .";
        return TryParse(path, out _) ? null : "must be a json path in the dot notation";
    }

    public static bool TryParse(string path, out List<Step> steps)
    {
        steps = [];
        if (path.Length == 0 || path[0] != '.') return false;
        var i = 1;
        if (path.Length == 1) return true;
        while (i < path.Length)
        {
            if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0) return false;
                var inner = path[(i + 1)..end];
                if (int.TryParse(inner, out var index) && index >= 0) steps.Add(new Step(null, index));
                else if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0]) steps.Add(new Step(inner[1..^1], 0));
                else return false;
                i = end + 1;
                if (i < path.Length && path[i] == '.') i++;
                continue;
            }
            var sb = new StringBuilder();
            while (i < path.Length && path[i] != '.' && path[i] != '[')
            {
                if (path[i] == '\\' && i + 1 < path.Length) i++;
                sb.Append(path[i++]);
            }
            if (sb.Length == 0) return false;
            steps.Add(new Step(sb.ToString(), 0));
            if (i < path.Length && path[i] == '.')
            {
                i++;
                if (i == path.Length) return false;
            }
        }
        return true;
    }

    /// <summary>The value at <paramref name="path"/>, or null when any step is missing.</summary>
    public static JsonNode? Find(JsonNode? root, string path)
    {
        if (!TryParse(path, out var steps)) return null;
        var node = root;
        foreach (var s in steps)
        {
            node = s.Field is { } f
                ? (node as JsonObject)?[f]
                : node is JsonArray a && s.Index < a.Count ? a[s.Index] : null;
            if (node is null) return null;
        }
        return node;
    }

    /// <summary>Sets the value at a field-only path, creating the objects on the way; false when the path
    /// crosses something that is not an object.</summary>
    public static bool Set(JsonObject root, string path, JsonNode? value)
    {
        if (!TryParse(path, out var steps) || steps.Count == 0 || steps.Any(s => s.Field is null)) return false;
        var node = root;
        foreach (var s in steps.Take(steps.Count - 1))
        {
            if (node[s.Field!] is not JsonObject next)
            {
                if (node[s.Field!] is not null) return false;
                node[s.Field!] = next = new JsonObject();
            }
            node = next;
        }
        node[steps[^1].Field!] = value;
        return true;
    }
}
