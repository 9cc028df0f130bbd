namespace Skiff.Storage;

/// <summary>
/// The datastore: a revisioned key/value log with etcd semantics. Every successful write
/// gets a new, strictly increasing cluster revision (the objects' resourceVersion); the
/// current state of a key is its newest row. Implementations are thread-safe; every method
/// may be called concurrently.
/// </summary>
/// <remarks>
/// Expected outcomes (key exists, not found, revision mismatch) are returned as a
/// <see cref="WriteStatus"/>, never thrown. Only a read or watch below the compacted revision
/// throws <see cref="CompactedException"/>, and a revision above the current one throws
/// <see cref="FutureRevisionException"/>.
/// </remarks>
public interface IStore : IAsyncDisposable
{
    /// <summary>The newest committed revision.</summary>
    long CurrentRevision { get; }

    /// <summary>The newest revision whose history has been compacted away (0 if none).</summary>
    long CompactRevision { get; }

    /// <summary>Reads one key, at <paramref name="revision"/> (0 = newest).</summary>
    Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken ct = default);

    /// <summary>
    /// Lists the live keys under <paramref name="prefix"/> in key order, starting at
    /// <paramref name="startKey"/> (inclusive; null = from the prefix) and as of
    /// <paramref name="revision"/> (0 = newest). At most <paramref name="limit"/> items (0 = all).
    /// </summary>
    Task<ListResult> ListAsync(string prefix, string? startKey = null, long limit = 0, long revision = 0, CancellationToken ct = default);

    /// <summary>Counts the live keys under <paramref name="prefix"/>.</summary>
    Task<long> CountAsync(string prefix, CancellationToken ct = default);

    /// <summary>Creates a key that must not exist. Acknowledged only once durable.</summary>
    Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default);

    /// <summary>
    /// Replaces a key whose current ModRevision equals <paramref name="expectedRevision"/>.
    /// Returns <see cref="WriteStatus.Conflict"/> (with the current value) on mismatch and
    /// <see cref="WriteStatus.NotFound"/> when the key is absent.
    /// </summary>
    Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken ct = default);

    /// <summary>
    /// Deletes a key. <paramref name="expectedRevision"/> 0 deletes whatever is there; otherwise
    /// it must match the current ModRevision. The result carries the deleted value.
    /// </summary>
    Task<WriteResult> DeleteAsync(string key, long expectedRevision = 0, CancellationToken ct = default);

    /// <summary>
    /// Streams every change under <paramref name="prefix"/> with a revision greater than
    /// <paramref name="afterRevision"/>: first the history still in the log, then live changes
    /// as they commit, in revision order, without gaps or duplicates. Throws
    /// <see cref="CompactedException"/> if that history has been compacted away.
    /// </summary>
    IStoreWatch Watch(string prefix, long afterRevision);

    /// <summary>Removes superseded and deleted rows with revisions up to <paramref name="revision"/>.</summary>
    Task CompactAsync(long revision, CancellationToken ct = default);
}

/// <summary>One key's value at one revision.</summary>
/// <param name="CreateRevision">The revision at which the key was (last) created.</param>
/// <param name="ModRevision">The revision of this value: the object's resourceVersion.</param>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision);

public enum WriteStatus { Ok, KeyExists, NotFound, Conflict }

/// <param name="Revision">The new revision on success, else the store's current revision.</param>
/// <param name="Current">After a successful write, the stored value (for Delete: the deleted one);
/// after Conflict or KeyExists, the value that is there now.</param>
public readonly record struct WriteResult(WriteStatus Status, long Revision, KeyValue? Current)
{
    public bool Succeeded => Status == WriteStatus.Ok;
}

/// <param name="Revision">The revision the list was read at (pass it back to continue consistently).</param>
/// <param name="More">Whether keys remain after the last item returned.</param>
/// <param name="Remaining">How many keys remain after the last item (only when <paramref name="More"/>).</param>
public sealed record ListResult(IReadOnlyList<KeyValue> Items, long Revision, bool More, long Remaining);

public enum WatchEventType { Created, Modified, Deleted }

/// <param name="Value">The new value; for Deleted, the last value before deletion, with
/// ModRevision set to the deletion's revision.</param>
/// <param name="Previous">The value before this change, where known.</param>
public sealed record WatchEvent(WatchEventType Type, KeyValue Value, KeyValue? Previous)
{
    public long Revision => Value.ModRevision;
}

/// <summary>A running watch. Dispose it to stop. Events arrive in batches in revision order.</summary>
public interface IStoreWatch : IDisposable
{
    /// <summary>Completes (possibly with an exception) if the watch is ended by the store.</summary>
    System.Threading.Channels.ChannelReader<WatchEvent> Events { get; }
}

/// <summary>The requested revision is older than the compacted revision (HTTP 410 Gone upstream).</summary>
public sealed class CompactedException(long requested, long compacted)
    : Exception($"required revision {requested} has been compacted (compacted revision {compacted})")
{
    public long Requested { get; } = requested;
    public long Compacted { get; } = compacted;
}

/// <summary>The requested revision is newer than the current one.</summary>
public sealed class FutureRevisionException(long requested, long current)
    : Exception($"required revision {requested} is a future revision (current revision {current})")
{
    public long Requested { get; } = requested;
    public long Current { get; } = current;
}
