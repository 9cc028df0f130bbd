namespace Skiff.Client.Typed;

/// <summary>
/// How a client reads, writes and inspects one object representation: generated models
/// (<see cref="ModelCodec{T, TList}"/>) or JSON trees (<see cref="Dynamic.JsonObjectCodec"/>).
/// Implementations are stateless; safe from any thread.
/// </summary>
public interface IObjectCodec<T> where T : class
{
    T Deserialize(ReadOnlySpan<byte> utf8Json);
    ValueTask<T> DeserializeAsync(Stream utf8Json, CancellationToken ct);
    ValueTask<ObjectList<T>> DeserializeListAsync(Stream utf8Json, CancellationToken ct);

    /// <summary>JSON of <paramref name="obj"/>; fills apiVersion and kind from the descriptor when absent.</summary>
    byte[] Serialize(T obj, Rest.ResourceDescriptor resource);

    string? Name(T obj);
    string? Namespace(T obj);
    string? ResourceVersion(T obj);
    string? Uid(T obj);
    /// <summary>The uids in metadata.ownerReferences.</summary>
    IEnumerable<string> OwnerUids(T obj);
    /// <summary>Drops metadata.managedFields, which caches never need (it is often half an object's size).</summary>
    void DropManagedFields(T obj);
}

/// <summary>One page of a list: the items, the list's resourceVersion and the continue token.
/// Immutable once returned; safe to read from any thread.</summary>
public sealed record ObjectList<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue, long? RemainingItemCount);
