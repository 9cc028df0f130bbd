using System.Text.Json;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// The schema definitions the documents are built from (the OpenAPI v2 "definitions" object),
/// parsed once and kept as a <see cref="JsonDocument"/> (compact, no object tree), with the
/// reference graph between definitions so a v3 document can take just the schemas it reaches.
/// Immutable after construction; safe for concurrent readers. Dispose releases the pooled buffers.
/// </summary>
public sealed class DefinitionCatalog : IDisposable
{
    public const string V2RefPrefix = "#/definitions/";

    private readonly JsonDocument _document;
    private readonly Dictionary<string, JsonElement> _byName;
    private readonly Dictionary<string, string[]> _references;

    /// <param name="definitionsJson">UTF-8 JSON object: definition name → schema, refs as "#/definitions/…".</param>
    public DefinitionCatalog(ReadOnlyMemory<byte> definitionsJson)
    {
        _document = JsonDocument.Parse(definitionsJson);
        if (_document.RootElement.ValueKind != JsonValueKind.Object)
            throw new ArgumentException("definitions must be a JSON object", nameof(definitionsJson));
        _byName = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        _references = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var p in _document.RootElement.EnumerateObject())
        {
            _byName[p.Name] = p.Value;
            var refs = new HashSet<string>(StringComparer.Ordinal);
            CollectReferences(p.Value, refs);
            _references[p.Name] = refs.ToArray();
        }
        Names = _byName.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every definition name, sorted ordinally.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The raw definitions object, for writers that copy it whole.</summary>
    public JsonElement Root => _document.RootElement;

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, out JsonElement schema) => _byName.TryGetValue(name, out schema);

    /// <summary>The given definitions plus everything they reference, transitively; unknown names are dropped. Sorted.</summary>
    public IReadOnlyList<string> Closure(IEnumerable<string> roots)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(roots.Where(Contains));
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!seen.Add(name)) continue;
            foreach (var r in _references[name])
                if (!seen.Contains(r) && Contains(r)) stack.Push(r);
        }
        return seen.Order(StringComparer.Ordinal).ToArray();
    }

    private static void CollectReferences(JsonElement e, HashSet<string> refs)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (p.NameEquals("$ref") && p.Value.ValueKind == JsonValueKind.String)
                    {
                        var target = p.Value.GetString()!;
                        if (target.StartsWith(V2RefPrefix, StringComparison.Ordinal)) refs.Add(target[V2RefPrefix.Length..]);
                    }
                    else CollectReferences(p.Value, refs);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) CollectReferences(item, refs);
                break;
        }
    }

    public void Dispose() => _document.Dispose();
}
