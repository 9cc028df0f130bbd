using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Skiff.Api.Meta;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Publishes /openapi/v2 (JSON and gnostic protobuf) and /openapi/v3 (index plus one document
/// per group/version, "api", "apis", "apis/{group}" and "version") for the resources currently
/// served. Documents are built on first request and cached; <see cref="Update"/> swaps in a new
/// snapshot and keeps every v3 document whose inputs (its resources and the schemas they
/// reach) did not change, so adding a CRD re-renders only its own group/version (and the v2
/// document, lazily).
/// <para>Thread-safety: all members may be called concurrently. Readers never block on
/// <see cref="Update"/>; a reader sees either the old or the new snapshot in full, and a
/// document returned is always consistent with the index of the same snapshot.</para>
/// </summary>
public sealed class OpenApiService
{
    private readonly DefinitionCatalog _builtinDefinitions;
    private readonly DocumentInfo _info;
    private readonly object _updateLock = new();
    private Snapshot _snapshot;

    /// <param name="definitionsJson">The OpenAPI v2 "definitions" object (e.g.
    /// <c>Skiff.Api.Schema.OpenApiDefinitions.Utf8Json</c>).</param>
    public OpenApiService(ReadOnlyMemory<byte> definitionsJson, DocumentInfo? info = null)
    {
        _builtinDefinitions = new DefinitionCatalog(definitionsJson);
        _info = info ?? new DocumentInfo();
        _snapshot = BuildSnapshot([], new Dictionary<string, ReadOnlyMemory<byte>>(), previous: null);
    }

    /// <summary>Replaces the served set. Cheap: plans paths now, renders documents on demand.</summary>
    /// <param name="served">Every resource and subresource being served.</param>
    /// <param name="extraDefinitions">Schemas beyond the built-in ones, e.g. one per CRD version
    /// ("com.example.v1.Widget" → v2-style schema JSON; its list kind as "…WidgetList"). The
    /// service keeps its own copy; callers may reuse their buffers afterwards.</param>
    public void Update(IEnumerable<ApiResourceInfo> served, IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? extraDefinitions = null)
    {
        var list = served.ToList();
        var extras = extraDefinitions ?? new Dictionary<string, ReadOnlyMemory<byte>>();
        lock (_updateLock)
        {
            Volatile.Write(ref _snapshot, BuildSnapshot(list, extras, Volatile.Read(ref _snapshot)));
        }
    }

    /// <summary>The v2 document: JSON, or gnostic OpenAPIv2 protobuf when <paramref name="protobuf"/>.</summary>
    public OpenApiDocument GetV2(bool protobuf)
    {
        var s = Volatile.Read(ref _snapshot);
        return protobuf ? s.V2Protobuf.Value : s.V2Json.Value;
    }

    /// <summary>GET /openapi/v3: {"paths":{"apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=…"},…}}.</summary>
    public OpenApiDocument GetV3Index() => Volatile.Read(ref _snapshot).V3Index.Value;

    /// <summary>The v3 document for a key such as "apis/apps/v1", "api/v1", "apis/apps" or "version"
    /// (leading/trailing slashes ignored). False when nothing is served under that key.</summary>
    public bool TryGetV3(string documentKey, out OpenApiDocument document)
    {
        var key = documentKey.Trim('/');
        if (Volatile.Read(ref _snapshot).V3.TryGetValue(key, out var entry))
        {
            document = entry.Document.Value;
            return true;
        }
        document = null!;
        return false;
    }

    /// <summary>The v3 document keys currently served, sorted.</summary>
    public IReadOnlyList<string> V3Keys => Volatile.Read(ref _snapshot).V3.Keys.Order(StringComparer.Ordinal).ToList();

    private Snapshot BuildSnapshot(IReadOnlyList<ApiResourceInfo> served, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> extras, Snapshot? previous)
    {
        var definitions = _builtinDefinitions.With(extras);
        var extraHashes = extras.ToDictionary(e => e.Key, e => Convert.ToHexString(SHA256.HashData(e.Value.Span)), StringComparer.Ordinal);
        var paths = PathPlanner.Plan(served, definitions.Contains, r => r.Definition is { } d && extras.ContainsKey(d));
        var resourceFingerprints = served
            .GroupBy(r => PathPlanner.DocumentKey(r.GroupVersion), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join("\n", g.Select(Describe).Order(StringComparer.Ordinal)), StringComparer.Ordinal);

        var v3 = new Dictionary<string, V3Entry>(StringComparer.Ordinal);
        foreach (var group in paths.GroupBy(p => p.DocumentKey, StringComparer.Ordinal))
        {
            // A document depends on its resources and on the content of every extra schema it reaches.
            var reachedExtras = extraHashes.Count == 0
                ? ""
                : string.Join(",", definitions.Closure(V3DocumentWriter.Roots(group))
                    .Where(extraHashes.ContainsKey).Select(n => n + "=" + extraHashes[n]));
            var fingerprint = resourceFingerprints.GetValueOrDefault(group.Key, "") + "\n" + reachedExtras;
            if (previous is not null && previous.V3.TryGetValue(group.Key, out var old) && old.Fingerprint == fingerprint)
            {
                v3[group.Key] = old;
                continue;
            }
            var groupPaths = group.ToList();
            v3[group.Key] = new V3Entry(fingerprint, new Lazy<OpenApiDocument>(() =>
                new OpenApiDocument(V3DocumentWriter.Write(_info, groupPaths, definitions), OpenApiDocument.JsonContentType)));
        }

        var v2Json = new Lazy<OpenApiDocument>(() =>
            new OpenApiDocument(V2DocumentWriter.Write(_info, paths, definitions), OpenApiDocument.JsonContentType));
        var v2Protobuf = new Lazy<OpenApiDocument>(() =>
            new OpenApiDocument(V2ProtobufEncoder.Encode(v2Json.Value.Body), OpenApiDocument.V2ProtobufContentType));
        var index = new Lazy<OpenApiDocument>(() => new OpenApiDocument(WriteIndex(v3), OpenApiDocument.JsonContentType));
        return new Snapshot(v2Json, v2Protobuf, v3, index);
    }

    private static byte[] WriteIndex(IReadOnlyDictionary<string, V3Entry> v3)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(buffer, JsonOutput.Options))
        {
            w.WriteStartObject();
            w.WriteStartObject("paths"u8);
            foreach (var key in v3.Keys.Order(StringComparer.Ordinal))
            {
                w.WriteStartObject(key);
                w.WriteString("serverRelativeURL"u8, $"/openapi/v3/{key}?hash={v3[key].Document.Value.Hash}");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Everything about a resource that shapes its paths; equal strings mean equal paths.</summary>
    private static string Describe(ApiResourceInfo r)
    {
        var sb = new StringBuilder();
        sb.Append(r.Resource).Append('/').Append(r.Subresource).Append('|').Append(r.Kind).Append('|')
          .Append(r.KindGroup).Append('|').Append(r.KindVersion).Append('|').Append(r.Namespaced).Append('|')
          .Append(r.Definition).Append('|').AppendJoin(',', r.Verbs);
        return sb.ToString();
    }

    private sealed record V3Entry(string Fingerprint, Lazy<OpenApiDocument> Document);

    private sealed record Snapshot(
        Lazy<OpenApiDocument> V2Json,
        Lazy<OpenApiDocument> V2Protobuf,
        IReadOnlyDictionary<string, V3Entry> V3,
        Lazy<OpenApiDocument> V3Index);
}
