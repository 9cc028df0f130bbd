using System.Text.Json.Nodes;

namespace Skiff.Api.Patch;

/// <summary>RFC 6902 JSON Patch with RFC 6901 pointers: add, remove, replace, move, copy, test.</summary>
public static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonNode? patch)
    {
        if (patch is not JsonArray ops) throw new PatchException("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        var doc = document?.DeepClone();
        foreach (var opNode in ops)
        {
            if (opNode is not JsonObject op) throw new PatchException("invalid JSON Patch operation");
            var name = Str(op, "op") ?? throw new PatchException("Unexpected kind: unknown");
            var path = Str(op, "path") ?? throw new PatchException($"missing path in \"{name}\" operation");
            switch (name)
            {
                case "add": doc = Add(doc, path, Value(op, name)); break;
                case "remove": doc = Remove(doc, path, out _); break;
                case "replace": doc = Replace(doc, path, Value(op, name)); break;
                case "move":
                {
                    var from = Str(op, "from") ?? throw new PatchException("missing from in \"move\" operation");
                    doc = Remove(doc, from, out var moved);
                    doc = Add(doc, path, moved);
                    break;
                }
                case "copy":
                {
                    var from = Str(op, "from") ?? throw new PatchException("missing from in \"copy\" operation");
                    doc = Add(doc, path, Get(doc, from)?.DeepClone());
                    break;
                }
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), op["value"]))
                        throw new PatchException($"testing value {path} failed: test failed", isInvalid: true);
                    break;
                default: throw new PatchException($"Unexpected kind: {name}");
            }
        }
        return doc;
    }

    private static string? Str(JsonObject o, string k) => o[k] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static JsonNode? Value(JsonObject op, string name) =>
        op.ContainsKey("value") ? op["value"]?.DeepClone() : throw new PatchException($"missing value in \"{name}\" operation");

    private static List<string> Parse(string pointer)
    {
        if (pointer.Length == 0) return [];
        if (pointer[0] != '/') throw new PatchException($"invalid JSON pointer: {pointer}");
        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToList();
    }

    private static JsonNode? Get(JsonNode? doc, string pointer)
    {
        var node = doc;
        foreach (var t in Parse(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(t, out var v) => v,
                JsonArray a when int.TryParse(t, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new PatchException($"unable to find path {pointer}", isInvalid: true),
            };
        }
        return node;
    }

    private static JsonNode? Add(JsonNode? doc, string pointer, JsonNode? value)
    {
        var tokens = Parse(pointer);
        if (tokens.Count == 0) return value;
        var parent = Get(doc, ParentPointer(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a:
                if (last == "-") a.Add(value);
                else if (int.TryParse(last, out var i) && i >= 0 && i <= a.Count) a.Insert(i, value);
                else throw new PatchException($"add operation does not apply: doc is missing path: \"{pointer}\": missing value", isInvalid: true);
                break;
            default: throw new PatchException($"add operation does not apply: doc is missing path: \"{pointer}\": missing value", isInvalid: true);
        }
        return doc;
    }

    private static JsonNode? Remove(JsonNode? doc, string pointer, out JsonNode? removed)
    {
        var tokens = Parse(pointer);
        if (tokens.Count == 0) { removed = doc; return null; }
        var parent = Get(doc, ParentPointer(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                removed = o[last]; o.Remove(last); removed = removed?.DeepClone(); break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i]?.DeepClone(); a.RemoveAt(i); break;
            default: throw new PatchException($"remove operation does not apply: doc is missing path: \"{pointer}\"", isInvalid: true);
        }
        return doc;
    }

    /// <summary>Replaces the value at an existing location, keeping its place among its siblings.</summary>
    private static JsonNode? Replace(JsonNode? doc, string pointer, JsonNode? value)
    {
        var tokens = Parse(pointer);
        if (tokens.Count == 0) return value;
        var parent = Get(doc, ParentPointer(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last): o[last] = value; break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count: a[i] = value; break;
            default: throw new PatchException($"replace operation does not apply: doc is missing key: {pointer}: missing value", isInvalid: true);
        }
        return doc;
    }

    private static string ParentPointer(List<string> tokens) =>
        tokens.Count <= 1 ? "" : "/" + string.Join('/', tokens.Take(tokens.Count - 1).Select(Escape));

    private static string Escape(string t) => t.Replace("~", "~0").Replace("/", "~1");
}
