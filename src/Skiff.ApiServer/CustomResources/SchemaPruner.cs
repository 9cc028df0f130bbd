using System.Text.Json.Nodes;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// Upstream's structural pruning and defaulting of custom objects: fields the schema does not declare
/// are dropped (unless x-kubernetes-preserve-unknown-fields), <c>default</c> values fill absent fields,
/// and nulls of non-nullable fields without a default are dropped. apiVersion, kind and metadata survive
/// at the root and in x-kubernetes-embedded-resource objects. Stateless and thread-safe; the object is
/// changed in place.
/// </summary>
public static class SchemaPruner
{
    private static readonly HashSet<string> ResourceFields = ["apiVersion", "kind", "metadata"];

    /// <summary>Drops undeclared fields; returns their paths ("spec.foo", "spec.items[0].bar") in document order.</summary>
    public static List<string> Prune(JsonObject obj, CrdSchema root)
    {
        var pruned = new List<string>();
        Node(obj, root, "", pruned, isResource: true);
        return pruned;
    }

    private static void Node(JsonNode? value, CrdSchema s, string path, List<string> pruned, bool isResource = false)
    {
        switch (value)
        {
            case JsonObject o:
            {
                var resource = isResource || s.EmbeddedResource;
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (resource && ResourceFields.Contains(key) && s.Property(key) is null) continue;
                    var child = Join(path, key);
                    if (s.Property(key) is { } ps) Node(o[key], ps, child, pruned);
                    else if (s.AdditionalProperties is { } ap) Node(o[key], ap, child, pruned);
                    else if (s.PreserveUnknownFields || s.AdditionalPropertiesAllowed) continue;
                    else
                    {
                        o.Remove(key);
                        pruned.Add(child);
                    }
                }
                break;
            }
            case JsonArray a when s.Items is { } items:
                for (var i = 0; i < a.Count; i++) Node(a[i], items, $"{path}[{i}]", pruned);
                break;
        }
    }

    /// <summary>Fills <c>default</c>s top-down (a defaulted object gets its own nested defaults) and drops
    /// nulls that the schema neither allows nor defaults.</summary>
    public static void Default(JsonObject obj, CrdSchema root) => DefaultNode(obj, root, isRoot: true);

    private static void DefaultNode(JsonNode? value, CrdSchema s, bool isRoot = false)
    {
        switch (value)
        {
            case JsonObject o:
                foreach (var (key, ps) in s.Properties)
                {
                    if (isRoot && ResourceFields.Contains(key)) continue;
                    var present = o.TryGetPropertyValue(key, out var current);
                    if (ps.Default is { } d && (!present || (current is null && !ps.Nullable))) o[key] = d.DeepClone();
                    else if (present && current is null && !ps.Nullable) o.Remove(key);
                }
                foreach (var (key, child) in o.ToList())
                {
                    if (isRoot && ResourceFields.Contains(key)) continue;
                    if (s.Property(key) is { } ps) DefaultNode(child, ps);
                    else if (s.AdditionalProperties is { } ap)
                    {
                        if (child is null && !ap.Nullable && ap.Default is { } ad) o[key] = ad.DeepClone();
                        DefaultNode(o[key], ap);
                    }
                }
                break;
            case JsonArray a when s.Items is { } items:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is null && !items.Nullable && items.Default is { } d) a[i] = d.DeepClone();
                    DefaultNode(a[i], items);
                }
                break;
        }
    }

    private static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";
}
