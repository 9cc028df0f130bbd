namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// The API calls the collector makes, by object identity (apiVersion, kind, namespace, name; the
/// uid is a precondition where a write could hit a recreated object). Implemented over
/// Skiff.Client; a fake in unit tests.
/// </summary>
public interface IGarbageCollectorApi
{
    /// <summary>Whether the kind is served (unknown kinds are left alone, never treated as absent).</summary>
    bool IsKnown(string apiVersion, string kind);

    /// <summary>Whether the kind is namespaced (owners of namespaced dependents live in the same namespace).</summary>
    bool IsNamespaced(string apiVersion, string kind);

    /// <summary>The object's current metadata, read from the API server; null when it does not exist.</summary>
    Task<ObjectMetadata?> GetAsync(ObjectIdentity id, CancellationToken ct);

    /// <summary>Deletes the object (uid precondition) with the given propagation policy; absent is success.</summary>
    Task DeleteAsync(ObjectIdentity id, string propagationPolicy, CancellationToken ct);

    /// <summary>Removes the ownerReferences with these uids from the object; absent is success.</summary>
    Task RemoveOwnerReferencesAsync(ObjectIdentity id, IReadOnlyCollection<string> ownerUids, CancellationToken ct);

    /// <summary>Sets blockOwnerDeletion=false on the ownerReferences with these uids.</summary>
    Task UnblockOwnerReferencesAsync(ObjectIdentity id, IReadOnlyCollection<string> ownerUids, CancellationToken ct);

    /// <summary>Removes one finalizer from the object; absent is success.</summary>
    Task RemoveFinalizerAsync(ObjectIdentity id, string finalizer, CancellationToken ct);
}
