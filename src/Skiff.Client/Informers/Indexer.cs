namespace Skiff.Client.Informers;

/// <summary>Computes the index values of an object (none, one or several), e.g. its namespace or owner uids.</summary>
public delegate IEnumerable<string> IndexFunc<in T>(T obj);

/// <summary>
/// The informer's cache: objects by key plus secondary indexes (namespace, owner, node name, custom).
/// Readers get the objects the informer stored (do not mutate them: they are shared with every reader).
/// Reads are from memory and may lag the API server by the watch delay. Safe from any thread: every
/// operation takes one lock, so a reader never sees a half-applied change.
/// </summary>
public sealed class Indexer<T> where T : class
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexFunc<T>> _indexFuncs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indexes = new(StringComparer.Ordinal);

    public int Count { get { lock (_lock) return _items.Count; } }

    /// <summary>Adds (or replaces) an index and builds it over the current contents.</summary>
    public void AddIndex(string name, IndexFunc<T> func)
    {
        lock (_lock)
        {
            _indexFuncs[name] = func;
            var index = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            _indexes[name] = index;
            foreach (var (key, obj) in _items) AddToIndex(index, func, key, obj);
        }
    }

    public bool HasIndex(string name) { lock (_lock) return _indexFuncs.ContainsKey(name); }

    public T? Get(string key) { lock (_lock) return _items.GetValueOrDefault(key); }

    public T? Get(string? ns, string name) => Get(ObjectKey.For(ns, name));

    public IReadOnlyList<T> List() { lock (_lock) return [.. _items.Values]; }

    public IReadOnlyList<string> ListKeys() { lock (_lock) return [.. _items.Keys]; }

    /// <summary>The objects whose <paramref name="indexName"/> values include <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">No such index.</exception>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(indexName, out var index)) throw new ArgumentException($"no index {indexName}");
            if (!index.TryGetValue(value, out var keys)) return [];
            var result = new List<T>(keys.Count);
            foreach (var k in keys) result.Add(_items[k]);
            return result;
        }
    }

    /// <summary>The keys of the objects whose <paramref name="indexName"/> values include <paramref name="value"/>.</summary>
    public IReadOnlyList<string> KeysByIndex(string indexName, string value)
    {
        lock (_lock)
        {
            if (!_indexes.TryGetValue(indexName, out var index)) throw new ArgumentException($"no index {indexName}");
            return index.TryGetValue(value, out var keys) ? [.. keys] : [];
        }
    }

    /// <summary>Stores <paramref name="obj"/> under <paramref name="key"/>; returns the object it replaced.</summary>
    internal T? Upsert(string key, T obj)
    {
        lock (_lock) return UpsertLocked(key, obj);
    }

    /// <summary>Removes <paramref name="key"/>; returns the object that was stored.</summary>
    internal T? Remove(string key)
    {
        lock (_lock) return RemoveLocked(key);
    }

    /// <summary>Runs <paramref name="action"/> under the store's lock (used to apply a relist atomically).</summary>
    internal TResult WithLock<TResult>(Func<Indexer<T>, TResult> action)
    {
        lock (_lock) return action(this);
    }

    internal IReadOnlyDictionary<string, T> ItemsLocked => _items;

    internal T? UpsertLocked(string key, T obj)
    {
        var old = _items.GetValueOrDefault(key);
        if (old is not null) RemoveFromIndexes(key, old);
        _items[key] = obj;
        foreach (var (name, func) in _indexFuncs) AddToIndex(_indexes[name], func, key, obj);
        return old;
    }

    internal T? RemoveLocked(string key)
    {
        if (!_items.Remove(key, out var old)) return null;
        RemoveFromIndexes(key, old);
        return old;
    }

    private void RemoveFromIndexes(string key, T old)
    {
        foreach (var (name, func) in _indexFuncs)
        {
            var index = _indexes[name];
            foreach (var value in func(old))
            {
                if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0) index.Remove(value);
            }
        }
    }

    private static void AddToIndex(Dictionary<string, HashSet<string>> index, IndexFunc<T> func, string key, T obj)
    {
        foreach (var value in func(obj))
        {
            if (!index.TryGetValue(value, out var keys)) index[value] = keys = new HashSet<string>(StringComparer.Ordinal);
            keys.Add(key);
        }
    }
}
