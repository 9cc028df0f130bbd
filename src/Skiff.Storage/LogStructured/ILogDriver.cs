namespace Skiff.Storage.LogStructured;

/// <summary>
/// How to talk to one database. A driver only stores and fetches <see cref="LogRow"/>s;
/// every rule about what a write means (compare checks, revisions, events) lives in
/// <see cref="LogStore"/>, once for all drivers.
/// </summary>
public interface ILogDriver : IDisposable
{
    /// <summary>The single write session. Only the store's writer loop touches it, from one thread at a time.</summary>
    ILogWriteSession Writer { get; }

    /// <summary>Borrows a read session; disposing it gives it back. Thread-safe.</summary>
    ILogReadSession RentReader();
}

/// <summary>Writes to the log. Not thread-safe: owned by the writer loop.</summary>
public interface ILogWriteSession
{
    /// <summary>The highest revision ever assigned, even if its row has since been compacted away.</summary>
    long ReadHighWaterMark();

    /// <summary>The persisted compact revision (0 if never compacted).</summary>
    long ReadCompactRevision();

    void Begin();
    void Commit();
    void Rollback();

    /// <summary>The newest row of <paramref name="key"/>, including rows appended in the open transaction.</summary>
    bool TryGetLatest(string key, out LogRow row);

    /// <summary>Appends a row with its revision already assigned (the writer numbers rows itself).</summary>
    void Append(in LogRow row);

    /// <summary>
    /// Deletes the rows that no read at or after <paramref name="upToRevision"/> can see: those
    /// superseded by a row in (<paramref name="afterRevision"/>, <paramref name="upToRevision"/>]
    /// and tombstones in that range. Persists <paramref name="upToRevision"/> as the compact revision.
    /// </summary>
    void Compact(long afterRevision, long upToRevision);
}

/// <summary>Reads from the log. One session serves one caller at a time; rent another for concurrency.</summary>
public interface ILogReadSession : IDisposable
{
    /// <summary>The newest row of <paramref name="key"/> at or below <paramref name="atRevision"/> (tombstones included).</summary>
    bool TryGetLatest(string key, long atRevision, out LogRow row);

    /// <summary>Live keys in [<paramref name="start"/>, <paramref name="end"/>) as of <paramref name="atRevision"/>, in key order; <paramref name="limit"/> 0 = all.</summary>
    void List(string start, string end, long atRevision, long limit, List<LogRow> into);

    /// <summary>Number of live keys in [<paramref name="start"/>, <paramref name="end"/>) as of <paramref name="atRevision"/>.</summary>
    long Count(string start, string end, long atRevision);

    /// <summary>
    /// Rows in [<paramref name="start"/>, <paramref name="end"/>) with revision in
    /// (<paramref name="afterRevision"/>, <paramref name="upToRevision"/>], in revision order, each with the row it
    /// superseded when that row still exists. Returns the compact revision read in the same snapshot, so the
    /// caller can tell whether compaction removed part of the range.
    /// </summary>
    long ReadHistory(string start, string end, long afterRevision, long upToRevision, int limit, List<HistoryRow> into);
}

/// <summary>A row of history and the row it superseded (null if none or compacted).</summary>
public readonly record struct HistoryRow(LogRow Row, LogRow? Previous);
