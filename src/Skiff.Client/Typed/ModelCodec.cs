using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Api.Meta;
using Skiff.Api.Models.Meta.V1;
using Skiff.Client.Rest;

namespace Skiff.Client.Typed;

/// <summary>
/// Codec for a generated model <typeparamref name="T"/> and its list <typeparamref name="TList"/>, through their
/// generated JSON code (<see cref="ModelJson"/>). The property accessors are bound once per type from
/// the generated shape (Metadata, ApiVersion, Kind; Items and Metadata on the list), so there is no reflection
/// per object. Stateless after construction; safe from any thread.
/// </summary>
public sealed class ModelCodec<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T,
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TList> : IObjectCodec<T>
    where T : class, IJsonModel<T> where TList : class, IJsonModel<TList>
{
    public static ModelCodec<T, TList> Instance { get; } = new();

    private readonly Func<T, ObjectMeta?> _meta;
    private readonly Action<T, string?> _setApiVersion;
    private readonly Action<T, string?> _setKind;
    private readonly Func<T, string?> _getApiVersion;
    private readonly Func<T, string?> _getKind;
    private readonly Func<TList, List<T>?> _items;
    private readonly Func<TList, ListMeta?> _listMeta;

    private ModelCodec()
    {
        _meta = Getter<T, ObjectMeta?>("Metadata");
        _getApiVersion = Getter<T, string?>("ApiVersion");
        _getKind = Getter<T, string?>("Kind");
        _setApiVersion = Setter<T, string?>("ApiVersion");
        _setKind = Setter<T, string?>("Kind");
        _items = Getter<TList, List<T>?>("Items");
        _listMeta = Getter<TList, ListMeta?>("Metadata");
        GroupVersionKind = typeof(T).GetProperty("GroupVersionKind", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is GroupVersionKind gvk
            ? gvk : throw new ArgumentException($"{typeof(T)} is not a generated top-level model (no GroupVersionKind)");
    }

    /// <summary>The kind the model is served as.</summary>
    public GroupVersionKind GroupVersionKind { get; }

    public T Deserialize(ReadOnlySpan<byte> utf8Json) =>
        ModelJson.Deserialize<T>(utf8Json) ?? throw new JsonException($"null {typeof(T).Name}");

    public async ValueTask<T> DeserializeAsync(Stream utf8Json, CancellationToken ct) =>
        await ModelJson.DeserializeAsync<T>(utf8Json, ct).ConfigureAwait(false) ?? throw new JsonException($"null {typeof(T).Name}");

    public async ValueTask<ObjectList<T>> DeserializeListAsync(Stream utf8Json, CancellationToken ct)
    {
        var list = await ModelJson.DeserializeAsync<TList>(utf8Json, ct).ConfigureAwait(false) ?? throw new JsonException($"null {typeof(TList).Name}");
        var meta = _listMeta(list);
        return new ObjectList<T>((IReadOnlyList<T>?)_items(list) ?? [], meta?.ResourceVersion ?? "", NullIfEmpty(meta?.Continue), meta?.RemainingItemCount);
    }

    public byte[] Serialize(T obj, ResourceDescriptor resource)
    {
        if (string.IsNullOrEmpty(_getApiVersion(obj))) _setApiVersion(obj, resource.ApiVersion);
        if (string.IsNullOrEmpty(_getKind(obj))) _setKind(obj, resource.Kind);
        return ModelJson.SerializeToUtf8Bytes(obj);
    }

    public ObjectMeta? Metadata(T obj) => _meta(obj);
    public string? Name(T obj) => _meta(obj)?.Name;
    public string? Namespace(T obj) => _meta(obj)?.Namespace;
    public string? ResourceVersion(T obj) => _meta(obj)?.ResourceVersion;
    public string? Uid(T obj) => _meta(obj)?.Uid;

    public IEnumerable<string> OwnerUids(T obj)
    {
        if (_meta(obj)?.OwnerReferences is not { Count: > 0 } owners) return [];
        return owners.Where(o => !string.IsNullOrEmpty(o.Uid)).Select(o => o.Uid!);
    }

    public void DropManagedFields(T obj)
    {
        if (_meta(obj) is { } m) m.ManagedFields = null;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static Func<TObj, TValue> Getter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TObj, TValue>(string property) =>
        typeof(TObj).GetProperty(property)?.GetMethod?.CreateDelegate<Func<TObj, TValue>>()
        ?? throw new ArgumentException($"{typeof(TObj)} has no {property} property");

    private static Action<TObj, TValue> Setter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TObj, TValue>(string property) =>
        typeof(TObj).GetProperty(property)?.SetMethod?.CreateDelegate<Action<TObj, TValue>>()
        ?? throw new ArgumentException($"{typeof(TObj)} has no settable {property} property");
}
