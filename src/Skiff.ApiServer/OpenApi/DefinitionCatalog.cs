using System.Text.Json;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// The schema definitions the documents are built from (OpenAPI v2 "definitions": name →
/// schema, refs as "#/definitions/…"), with the reference graph between them so a v3 document
/// can take just the schemas it reaches. Built-in definitions come from one JSON object;
/// <see cref="With"/> layers extra ones (CRD schemas) on top without copying the base.
/// Immutable; safe for concurrent readers. Elements are detached copies, so nothing needs disposing.
/// </summary>
public sealed class DefinitionCatalog
{
    public const string V2RefPrefix = "#/definitions/";

    private readonly Dictionary<string, JsonElement> _byName;
    private readonly Dictionary<string, string[]> _references;

    /// <param name="definitionsJson">UTF-8 JSON object: definition name → schema.</param>
    public DefinitionCatalog(ReadOnlyMemory<byte> definitionsJson)
    {
        JsonElement root;
        using (var document = JsonDocument.Parse(definitionsJson))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("definitions must be a JSON object", nameof(definitionsJson));
            root = document.RootElement.Clone();
        }
        _byName = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        _references = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var p in root.EnumerateObject()) Add(p.Name, p.Value);
        Names = SortedNames();
    }

    private DefinitionCatalog(DefinitionCatalog baseCatalog, IEnumerable<KeyValuePair<string, JsonElement>> extras)
    {
        _byName = new Dictionary<string, JsonElement>(baseCatalog._byName, StringComparer.Ordinal);
        _references = new Dictionary<string, string[]>(baseCatalog._references, StringComparer.Ordinal);
        foreach (var (name, schema) in extras) Add(name, schema);
        Names = SortedNames();
    }

    /// <summary>
    /// A catalog holding these definitions plus <paramref name="extras"/> (name → UTF-8 JSON
    /// schema in v2 form); an extra replaces a built-in definition of the same name.
    /// </summary>
    public DefinitionCatalog With(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> extras)
    {
        if (extras.Count == 0) return this;
        var parsed = extras.Select(e =>
        {
            using var d = JsonDocument.Parse(e.Value);
            return KeyValuePair.Create(e.Key, d.RootElement.Clone());
        }).ToList();
        return new DefinitionCatalog(this, parsed);
    }

    /// <summary>Every definition name, sorted ordinally.</summary>
    public IReadOnlyList<string> Names { get; }

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

    private void Add(string name, JsonElement schema)
    {
        _byName[name] = schema;
        var refs = new HashSet<string>(StringComparer.Ordinal);
        CollectReferences(schema, refs);
        _references[name] = refs.ToArray();
    }

    private string[] SortedNames() => _byName.Keys.Order(StringComparer.Ordinal).ToArray();

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
}
