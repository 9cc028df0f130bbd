using Microsoft.Data.Sqlite;
using Skiff.Storage.LogStructured;

namespace Skiff.Storage.Sqlite;

/// <summary>
/// One read connection with its statements prepared once. WAL lets it read while the writer
/// commits. Used by one caller at a time; <see cref="Dispose"/> hands it back to the pool.
/// </summary>
internal sealed class SqliteReadSession : ILogReadSession
{
    private readonly SqliteReadPool _pool;
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin, _commit, _latestAt, _list, _count, _history, _compactRev;

    public SqliteReadSession(SqliteReadPool pool, string connectionString)
    {
        SqliteProvider.EnsureInitialized();
        _pool = pool;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        SqliteRows.Execute(_connection, SqliteDialect.ReaderPragmas);
        _begin = SqliteRows.Prepare(_connection, "BEGIN");
        _commit = SqliteRows.Prepare(_connection, "COMMIT");
        _latestAt = SqliteRows.Prepare(_connection, SqliteDialect.LatestAt, ("$name", SqliteType.Text), ("$rev", SqliteType.Integer));
        var range = new[] { ("$start", SqliteType.Text), ("$end", SqliteType.Text), ("$rev", SqliteType.Integer) };
        _list = SqliteRows.Prepare(_connection, SqliteDialect.List, [.. range, ("$limit", SqliteType.Integer)]);
        _count = SqliteRows.Prepare(_connection, SqliteDialect.Count, range);
        _history = SqliteRows.Prepare(_connection, SqliteDialect.History,
            ("$after", SqliteType.Integer), ("$upto", SqliteType.Integer), ("$start", SqliteType.Text),
            ("$end", SqliteType.Text), ("$limit", SqliteType.Integer));
        _compactRev = SqliteRows.Prepare(_connection, SqliteDialect.CompactRevision);
    }

    public bool TryGetLatest(string key, long atRevision, out LogRow row)
    {
        _latestAt.Parameters[0].Value = key;
        _latestAt.Parameters[1].Value = atRevision;
        using var r = _latestAt.ExecuteReader();
        if (r.Read())
        {
            row = SqliteRows.Read(r);
            return true;
        }
        row = default;
        return false;
    }

    public void List(string start, string end, long atRevision, long limit, List<LogRow> into)
    {
        var p = _list.Parameters;
        p[0].Value = start;
        p[1].Value = end;
        p[2].Value = atRevision;
        p[3].Value = limit > 0 ? limit : -1L;
        using var r = _list.ExecuteReader();
        while (r.Read()) into.Add(SqliteRows.Read(r));
    }

    public long Count(string start, string end, long atRevision)
    {
        var p = _count.Parameters;
        p[0].Value = start;
        p[1].Value = end;
        p[2].Value = atRevision;
        return Convert.ToInt64(_count.ExecuteScalar());
    }

    public long ReadHistory(string start, string end, long afterRevision, long upToRevision, int limit, List<HistoryRow> into)
    {
        // One transaction = one snapshot: the compact revision and the rows agree with each other.
        _begin.ExecuteNonQuery();
        try
        {
            var compact = Convert.ToInt64(_compactRev.ExecuteScalar());
            var p = _history.Parameters;
            p[0].Value = afterRevision;
            p[1].Value = upToRevision;
            p[2].Value = start;
            p[3].Value = end;
            p[4].Value = (long)limit;
            using var r = _history.ExecuteReader();
            while (r.Read())
            {
                var row = SqliteRows.Read(r);
                LogRow? previous = r.IsDBNull(7) ? null : SqliteRows.Read(r, 7);
                into.Add(new HistoryRow(row, previous));
            }
            return compact;
        }
        finally
        {
            _commit.ExecuteNonQuery();
        }
    }

    public void Dispose() => _pool.Return(this);

    /// <summary>Really closes the connection (the pool calls this when it has enough idle sessions).</summary>
    public void Close()
    {
        foreach (var cmd in new[] { _begin, _commit, _latestAt, _list, _count, _history, _compactRev }) cmd.Dispose();
        _connection.Dispose();
    }
}
