using System.Buffers;
using System.Text.Json;
using Skiff.Api.Meta;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Discovery;

/// <summary>The names a resource is known by in discovery (short names, categories, singular).</summary>
public interface IResourceNaming
{
    IReadOnlyList<string> ShortNames(GroupResource gr);
    IReadOnlyList<string> Categories(GroupResource gr);
    string Singular(GroupResource gr, string kind);
}

/// <summary>
/// Builds the discovery documents: the legacy /api, /apis, /apis/G and /apis/G/V lists and the
/// aggregated apidiscovery.k8s.io/v2 lists. Documents are built on first use and cached until the
/// registry changes (CRDs come and go); safe for concurrent readers.
/// </summary>
public sealed class DiscoveryDocuments(ResourceRegistry registry, IResourceNaming naming)
{
    private readonly Dictionary<string, byte[]> _cache = new();
    private readonly Lock _lock = new();
    private long _cachedVersion;

    public const string AggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    private byte[] Cached(string key, Action<Utf8JsonWriter> build)
    {
        lock (_lock)
        {
            // The version is read before the registry is: a document built from a newer snapshot is
            // at worst rebuilt once more, never served stale.
            var version = registry.Version;
            if (version != _cachedVersion)
            {
                _cache.Clear();
                _cachedVersion = version;
            }
            if (_cache.TryGetValue(key, out var b)) return b;
            var buf = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buf, Serialization.Obj.Writer)) build(w);
            return _cache[key] = buf.WrittenSpan.ToArray();
        }
    }

    public byte[] CoreVersions(string serverAddress) => Cached("api|" + serverAddress, w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "APIVersions");
        w.WriteStartArray("versions");
        w.WriteStringValue("v1");
        w.WriteEndArray();
        w.WriteStartArray("serverAddressByClientCIDRs");
        w.WriteStartObject();
        w.WriteString("clientCIDR", "0.0.0.0/0");
        w.WriteString("serverAddress", serverAddress);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private IEnumerable<IGrouping<string, GroupVersion>> Groups() =>
        registry.GroupVersions.Where(g => g.Group.Length > 0).GroupBy(g => g.Group);

    public byte[] GroupList() => Cached("apis", w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "APIGroupList");
        w.WriteString("apiVersion", "v1");
        w.WriteStartArray("groups");
        foreach (var g in Groups()) WriteGroup(w, g.Key, g.ToList(), false);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public byte[]? Group(string group)
    {
        var versions = registry.GroupVersions.Where(g => g.Group == group).ToList();
        if (group.Length == 0 || versions.Count == 0) return null;
        return Cached("group|" + group, w => WriteGroup(w, group, versions, true));
    }

    private static void WriteGroup(Utf8JsonWriter w, string group, List<GroupVersion> versions, bool standalone)
    {
        w.WriteStartObject();
        if (standalone)
        {
            w.WriteString("kind", "APIGroup");
            w.WriteString("apiVersion", "v1");
        }
        w.WriteString("name", group);
        w.WriteStartArray("versions");
        foreach (var v in versions) WriteGv(w, null, v);
        w.WriteEndArray();
        WriteGv(w, "preferredVersion", versions[0]);
        w.WriteEndObject();
    }

    private static void WriteGv(Utf8JsonWriter w, string? prop, GroupVersion gv)
    {
        if (prop is null) w.WriteStartObject(); else w.WriteStartObject(prop);
        w.WriteString("groupVersion", gv.ApiVersion);
        w.WriteString("version", gv.Version);
        w.WriteEndObject();
    }

    /// <summary>The APIResourceList of one group/version, or null if it is not served.</summary>
    public byte[]? ResourceList(GroupVersion gv)
    {
        if (!registry.GroupVersions.Contains(gv)) return null;
        return Cached("rl|" + gv.ApiVersion, w =>
        {
            w.WriteStartObject();
            w.WriteString("kind", "APIResourceList");
            w.WriteString("apiVersion", "v1");
            w.WriteString("groupVersion", gv.ApiVersion);
            w.WriteStartArray("resources");
            foreach (var r in registry.InGroupVersion(gv))
            {
                w.WriteStartObject();
                w.WriteString("name", r.Resource);
                w.WriteString("singularName", naming.Singular(r.GroupResource, r.Kind));
                w.WriteBoolean("namespaced", r.Namespaced);
                w.WriteString("kind", r.Kind);
                WriteStrings(w, "verbs", r.Info.Verbs);
                WriteStrings(w, "shortNames", naming.ShortNames(r.GroupResource), omitEmpty: true);
                WriteStrings(w, "categories", naming.Categories(r.GroupResource), omitEmpty: true);
                w.WriteString("storageVersionHash", StorageVersionHash(r));
                w.WriteEndObject();
                foreach (var (name, sub) in r.Subresources.OrderBy(s => s.Key, StringComparer.Ordinal))
                {
                    w.WriteStartObject();
                    w.WriteString("name", $"{r.Resource}/{name}");
                    w.WriteString("singularName", "");
                    w.WriteBoolean("namespaced", r.Namespaced);
                    if (sub.KindGroup != r.Group || sub.KindVersion != r.Version)
                    {
                        w.WriteString("group", sub.KindGroup);
                        w.WriteString("version", sub.KindVersion);
                    }
                    w.WriteString("kind", sub.Kind);
                    WriteStrings(w, "verbs", sub.Verbs);
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Aggregated discovery for /api (core only) or /apis (every group).</summary>
    public byte[] Aggregated(bool core) => Cached(core ? "agg-api" : "agg-apis", w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "APIGroupDiscoveryList");
        w.WriteString("apiVersion", "apidiscovery.k8s.io/v2");
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteStartArray("items");
        var groups = registry.GroupVersions.Where(g => core ? g.Group.Length == 0 : g.Group.Length > 0).GroupBy(g => g.Group);
        foreach (var g in groups)
        {
            w.WriteStartObject();
            w.WriteStartObject("metadata");
            w.WriteString("name", g.Key);
            w.WriteNull("creationTimestamp");
            w.WriteEndObject();
            w.WriteStartArray("versions");
            foreach (var gv in g)
            {
                w.WriteStartObject();
                w.WriteString("version", gv.Version);
                w.WriteStartArray("resources");
                foreach (var r in registry.InGroupVersion(gv))
                {
                    w.WriteStartObject();
                    w.WriteString("resource", r.Resource);
                    WriteKind(w, "responseKind", r.Group, r.Version, r.Kind);
                    w.WriteString("scope", r.Namespaced ? "Namespaced" : "Cluster");
                    w.WriteString("singularResource", naming.Singular(r.GroupResource, r.Kind));
                    WriteStrings(w, "verbs", r.Info.Verbs);
                    WriteStrings(w, "shortNames", naming.ShortNames(r.GroupResource), omitEmpty: true);
                    WriteStrings(w, "categories", naming.Categories(r.GroupResource), omitEmpty: true);
                    if (r.Subresources.Count > 0)
                    {
                        w.WriteStartArray("subresources");
                        foreach (var (name, sub) in r.Subresources.OrderBy(s => s.Key, StringComparer.Ordinal))
                        {
                            w.WriteStartObject();
                            w.WriteString("subresource", name);
                            WriteKind(w, "responseKind", sub.KindGroup, sub.KindVersion, sub.Kind);
                            WriteStrings(w, "verbs", sub.Verbs);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("freshness", "Current");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteKind(Utf8JsonWriter w, string prop, string group, string version, string kind)
    {
        w.WriteStartObject(prop);
        w.WriteString("group", group);
        w.WriteString("version", version);
        w.WriteString("kind", kind);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string prop, IReadOnlyList<string> values, bool omitEmpty = false)
    {
        if (omitEmpty && values.Count == 0) return;
        w.WriteStartArray(prop);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    /// <summary>Upstream's storageVersionHash: the first 8 bytes of SHA-256 of "group/version/kind", base64.</summary>
    private static string StorageVersionHash(ServedResource r)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{r.Group}/{r.Version}/{r.Kind}"));
        return Convert.ToBase64String(bytes, 0, 8);
    }
}
