namespace Skiff.Client.Informers;

/// <summary>
/// Receives an informer's changes. Calls come one at a time from the informer's dispatcher, in the order
/// the changes reached its cache, after the cache holds them; handlers must be quick (enqueue a key into a
/// work queue and return): a slow handler delays every other handler of the informer, but never the watch.
/// </summary>
public interface IResourceEventHandler<in T> where T : class
{
    /// <param name="isInInitialList">True for objects of the informer's first list (or the replay to a late handler).</param>
    void OnAdd(T obj, bool isInInitialList);
    void OnUpdate(T oldObj, T newObj);
    /// <param name="obj">The last state the cache knew.</param>
    /// <param name="finalStateUnknown">True for a tombstone: the delete was missed while disconnected and found by a
    /// relist, so <paramref name="obj"/> may be older than the object's final state.</param>
    void OnDelete(T obj, bool finalStateUnknown);
}

/// <summary>An <see cref="IResourceEventHandler{T}"/> from delegates; unset ones ignore their event. Immutable; thread-safe.</summary>
public sealed class ResourceEventHandler<T> : IResourceEventHandler<T> where T : class
{
    public Action<T, bool>? Added { get; init; }
    public Action<T, T>? Updated { get; init; }
    public Action<T, bool>? Deleted { get; init; }

    /// <summary>One handler for all three events, e.g. <c>obj =&gt; queue.Add(key(obj))</c>.</summary>
    public static ResourceEventHandler<T> ForAll(Action<T> any) =>
        new() { Added = (o, _) => any(o), Updated = (_, n) => any(n), Deleted = (o, _) => any(o) };

    public void OnAdd(T obj, bool isInInitialList) => Added?.Invoke(obj, isInInitialList);
    public void OnUpdate(T oldObj, T newObj) => Updated?.Invoke(oldObj, newObj);
    public void OnDelete(T obj, bool finalStateUnknown) => Deleted?.Invoke(obj, finalStateUnknown);
}
