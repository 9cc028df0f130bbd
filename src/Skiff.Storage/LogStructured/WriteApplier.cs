namespace Skiff.Storage.LogStructured;

/// <summary>
/// The etcd meaning of a write: the compare check against the key's newest row, the row to
/// append, and the event it produces. Pure logic over <see cref="ILogWriteSession"/>; called by
/// the writer loop inside an open transaction, so it sees the batch's earlier writes.
/// </summary>
internal static class WriteApplier
{
    public static WriteResult Apply(ILogWriteSession session, PendingWrite w, ref long revision, List<WatchEvent> events)
    {
        var found = session.TryGetLatest(w.Key, out var cur);
        var live = found && !cur.Deleted;
        switch (w.Kind)
        {
            case WriteKind.Create:
            {
                if (live) return new WriteResult(WriteStatus.KeyExists, revision, cur.ToKeyValue());
                var rev = ++revision;
                var row = new LogRow(rev, w.Key, Created: true, Deleted: false, rev, found ? cur.Revision : 0, w.Value);
                session.Append(row);
                var kv = row.ToKeyValue();
                events.Add(new WatchEvent(WatchEventType.Created, kv, null));
                return new WriteResult(WriteStatus.Ok, rev, kv);
            }
            case WriteKind.Update:
            {
                if (!live) return new WriteResult(WriteStatus.NotFound, revision, null);
                var before = cur.ToKeyValue();
                if (cur.Revision != w.ExpectedRevision) return new WriteResult(WriteStatus.Conflict, revision, before);
                var rev = ++revision;
                var row = new LogRow(rev, w.Key, Created: false, Deleted: false, cur.CreateRevision, cur.Revision, w.Value);
                session.Append(row);
                var kv = row.ToKeyValue();
                events.Add(new WatchEvent(WatchEventType.Modified, kv, before));
                return new WriteResult(WriteStatus.Ok, rev, kv);
            }
            default:
            {
                if (!live) return new WriteResult(WriteStatus.NotFound, revision, null);
                var before = cur.ToKeyValue();
                if (w.ExpectedRevision != 0 && cur.Revision != w.ExpectedRevision)
                    return new WriteResult(WriteStatus.Conflict, revision, before);
                var rev = ++revision;
                // The tombstone keeps the last value so a replayed Deleted event can carry it.
                var row = new LogRow(rev, w.Key, Created: false, Deleted: true, cur.CreateRevision, cur.Revision, cur.Value);
                session.Append(row);
                events.Add(new WatchEvent(WatchEventType.Deleted, row.ToKeyValue(), before));
                return new WriteResult(WriteStatus.Ok, rev, before);
            }
        }
    }

    /// <summary>The event a history row stands for (the same shape the live path produces).</summary>
    public static WatchEvent ToEvent(in HistoryRow h)
    {
        var row = h.Row;
        var type = row.Deleted ? WatchEventType.Deleted : row.Created ? WatchEventType.Created : WatchEventType.Modified;
        var previous = type != WatchEventType.Created && h.Previous is { Deleted: false } p ? p.ToKeyValue() : null;
        return new WatchEvent(type, row.ToKeyValue(), previous);
    }
}
