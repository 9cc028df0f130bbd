using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client.Rest;
using Skiff.Client.Watch;

namespace Skiff.Client.Typed;

/// <summary>
/// REST verbs on one resource (get, list, create, update, status, patch, delete, deletecollection, watch,
/// subresources), for objects of representation <typeparamref name="T"/> (a generated model, or a JSON tree
/// for the dynamic client). Every call goes to the API server: reads are as fresh as the server's answer.
/// Holds no mutable state; safe from any thread.
/// </summary>
public sealed class ResourceClient<T> where T : class
{
    private readonly ApiConnection _connection;

    public ResourceClient(ApiConnection connection, ResourceDescriptor resource, IObjectCodec<T> codec)
    {
        _connection = connection;
        Resource = resource;
        Codec = codec;
    }

    public ResourceDescriptor Resource { get; }
    public IObjectCodec<T> Codec { get; }
    public ApiConnection Connection => _connection;

    /// <summary>Reads one object. Throws <see cref="ApiException"/> (404 NotFound) when absent.</summary>
    public Task<T> GetAsync(string? ns, string name, CancellationToken ct = default) =>
        _connection.SendAsync(HttpMethod.Get, Resource.Path(NsOrNull(ns), name), null, Codec.DeserializeAsync, ct);

    /// <summary>Reads one object, or null when it does not exist.</summary>
    public async Task<T?> TryGetAsync(string? ns, string name, CancellationToken ct = default)
    {
        try { return await GetAsync(ns, name, ct).ConfigureAwait(false); }
        catch (ApiException e) when (e.IsNotFound) { return null; }
    }

    /// <summary>One page of a list; <paramref name="ns"/> null lists across namespaces (or cluster-scoped).</summary>
    public Task<ObjectList<T>> ListAsync(string? ns, ListOptions? options = null, CancellationToken ct = default)
    {
        var q = new QueryString();
        (options ?? ListOptions.Default).AppendTo(q, watch: false);
        return _connection.SendAsync(HttpMethod.Get, Resource.Path(NsOrNull(ns)) + q, null, Codec.DeserializeListAsync, ct);
    }

    /// <summary>Every page of a list, following continue tokens; the result's resourceVersion is the first page's.</summary>
    public async Task<ObjectList<T>> ListAllAsync(string? ns, ListOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ListOptions { Limit = 500 };
        var items = new List<T>();
        string? rv = null;
        string? cont = null;
        do
        {
            var page = await ListAsync(ns, options with { Continue = cont, ResourceVersion = cont is null ? options.ResourceVersion : null,
                ResourceVersionMatch = cont is null ? options.ResourceVersionMatch : null }, ct).ConfigureAwait(false);
            items.AddRange(page.Items);
            rv ??= page.ResourceVersion;
            cont = page.Continue;
        } while (cont is not null);
        return new ObjectList<T>(items, rv ?? "", null, null);
    }

    /// <summary>Creates <paramref name="obj"/> in its metadata.namespace (or <paramref name="ns"/>); returns the stored object.</summary>
    public Task<T> CreateAsync(T obj, string? ns = null, WriteOptions? options = null, CancellationToken ct = default) =>
        Write(HttpMethod.Post, Resource.Path(NsOrNull(ns ?? Codec.Namespace(obj))), obj, options, ct);

    /// <summary>Replaces the object; metadata.resourceVersion, when set, makes it conditional (409 Conflict when stale).</summary>
    public Task<T> UpdateAsync(T obj, WriteOptions? options = null, CancellationToken ct = default) =>
        Write(HttpMethod.Put, Resource.Path(NsOrNull(Codec.Namespace(obj)), RequireName(obj)), obj, options, ct);

    /// <summary>Replaces the status subresource (the spec in <paramref name="obj"/> is ignored by the server).</summary>
    public Task<T> UpdateStatusAsync(T obj, WriteOptions? options = null, CancellationToken ct = default) =>
        Write(HttpMethod.Put, Resource.Path(NsOrNull(Codec.Namespace(obj)), RequireName(obj), "status"), obj, options, ct);

    /// <summary>Patches the object (or a subresource such as "status"); Apply needs <see cref="WriteOptions.FieldManager"/>.</summary>
    public Task<T> PatchAsync(string? ns, string name, PatchType type, string patch, WriteOptions? options = null,
        string? subresource = null, CancellationToken ct = default) =>
        PatchAsync(ns, name, type, System.Text.Encoding.UTF8.GetBytes(patch), options, subresource, ct);

    public Task<T> PatchAsync(string? ns, string name, PatchType type, byte[] patch, WriteOptions? options = null,
        string? subresource = null, CancellationToken ct = default)
    {
        options ??= WriteOptions.Default;
        if (type == PatchType.Apply && string.IsNullOrEmpty(options.FieldManager))
            throw new ArgumentException("server-side apply needs a field manager");
        var q = new QueryString();
        options.AppendTo(q);
        var content = new ByteArrayContent(patch);
        content.Headers.ContentType = new MediaTypeHeaderValue(type switch
        {
            PatchType.Json => "application/json-patch+json",
            PatchType.Merge => "application/merge-patch+json",
            PatchType.StrategicMerge => "application/strategic-merge-patch+json",
            _ => "application/apply-patch+yaml",
        });
        return _connection.SendAsync(HttpMethod.Patch, Resource.Path(NsOrNull(ns), name, subresource) + q, content, Codec.DeserializeAsync, ct);
    }

    /// <summary>
    /// Deletes one object. Returns the object as the server answered (still present with a deletionTimestamp
    /// while finalizers run) or null when the server answered a Status. 404 is an <see cref="ApiException"/>.
    /// </summary>
    public async Task<T?> DeleteAsync(string? ns, string name, DeleteOptions? options = null, CancellationToken ct = default)
    {
        using var response = await _connection.SendAsync(HttpMethod.Delete, Resource.Path(NsOrNull(ns), name), DeleteBody(options), ct).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return IsStatus(bytes) ? null : Codec.Deserialize(bytes);
    }

    /// <summary>Deletes every object matching <paramref name="options"/>' selectors in <paramref name="ns"/>.</summary>
    public async Task DeleteCollectionAsync(string? ns, ListOptions? options = null, DeleteOptions? deleteOptions = null, CancellationToken ct = default)
    {
        var q = new QueryString();
        (options ?? ListOptions.Default).AppendTo(q, watch: false);
        using var _ = await _connection.SendAsync(HttpMethod.Delete, Resource.Path(NsOrNull(ns)) + q, DeleteBody(deleteOptions), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens one watch connection and yields its events until the server ends it (timeout, restart) or
    /// <paramref name="ct"/> fires. Bookmarks are requested unless turned off. A 410 arrives as an
    /// <see cref="WatchEventType.Error"/> event; <see cref="ResumingWatcher{T}"/> adds resumption on top.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? ns, ListOptions? options = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var q = new QueryString();
        (options ?? ListOptions.Default).AppendTo(q, watch: true);
        using var response = await _connection.SendAsync(HttpMethod.Get, Resource.Path(NsOrNull(ns)) + q, null, ct, streaming: true).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await foreach (var e in WatchStreamReader.ReadAsync(body, Codec, ct).ConfigureAwait(false))
            yield return e;
    }

    /// <summary>POSTs <paramref name="body"/> (already JSON) to a subresource such as binding or eviction.</summary>
    public async Task CreateSubresourceAsync(string? ns, string name, string subresource, byte[] body, CancellationToken ct = default)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var _ = await _connection.SendAsync(HttpMethod.Post, Resource.Path(NsOrNull(ns), name, subresource), content, ct).ConfigureAwait(false);
    }

    /// <summary>GETs a subresource such as scale, decoded with <paramref name="type"/>.</summary>
    public Task<TSub> GetSubresourceAsync<TSub>(string? ns, string name, string subresource, CancellationToken ct = default)
        where TSub : class, IJsonModel<TSub> =>
        _connection.SendAsync(HttpMethod.Get, Resource.Path(NsOrNull(ns), name, subresource), null,
            async (s, c) => await ModelJson.DeserializeAsync<TSub>(s, c).ConfigureAwait(false) ?? throw new JsonException("null body"), ct);

    /// <summary>PUTs a subresource such as scale.</summary>
    public Task<TSub> UpdateSubresourceAsync<TSub>(string? ns, string name, string subresource, TSub body, CancellationToken ct = default)
        where TSub : class, IJsonModel<TSub>
    {
        var content = new ByteArrayContent(ModelJson.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return _connection.SendAsync(HttpMethod.Put, Resource.Path(NsOrNull(ns), name, subresource), content,
            async (s, c) => await ModelJson.DeserializeAsync<TSub>(s, c).ConfigureAwait(false) ?? throw new JsonException("null body"), ct);
    }

    private Task<T> Write(HttpMethod method, string path, T obj, WriteOptions? options, CancellationToken ct)
    {
        var q = new QueryString();
        (options ?? WriteOptions.Default).AppendTo(q);
        var content = new ByteArrayContent(Codec.Serialize(obj, Resource));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return _connection.SendAsync(method, path + q, content, Codec.DeserializeAsync, ct);
    }

    private static HttpContent? DeleteBody(DeleteOptions? options)
    {
        if (options is null) return null;
        options.ApiVersion ??= "v1";
        options.Kind ??= "DeleteOptions";
        var content = new ByteArrayContent(ModelJson.SerializeToUtf8Bytes(options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private string RequireName(T obj) =>
        Codec.Name(obj) is { Length: > 0 } n ? n : throw new ArgumentException("the object has no metadata.name");

    private string? NsOrNull(string? ns) => Resource.Namespaced && !string.IsNullOrEmpty(ns) ? ns : null;

    private static bool IsStatus(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("kind"u8)) { r.Read(); return r.ValueTextEquals("Status"u8); }
            r.Read(); r.Skip();
        }
        return false;
    }
}
