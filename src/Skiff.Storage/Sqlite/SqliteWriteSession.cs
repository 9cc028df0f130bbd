using Microsoft.Data.Sqlite;
using Skiff.Storage.LogStructured;

namespace Skiff.Storage.Sqlite;

/// <summary>
/// The one write connection, with its statements prepared once. WAL with synchronous=FULL: a
/// commit returns only after the WAL is fsynced, so an acknowledged write survives a crash.
/// Not thread-safe: owned by the writer loop.
/// </summary>
internal sealed class SqliteWriteSession : ILogWriteSession, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin, _commit, _rollback, _latest, _insert, _compact;

    public SqliteWriteSession(string connectionString)
    {
        SqliteProvider.EnsureInitialized();
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        SqliteRows.Execute(_connection, SqliteDialect.WriterPragmas);
        SqliteRows.Execute(_connection, SqliteDialect.Schema);
        _begin = SqliteRows.Prepare(_connection, "BEGIN IMMEDIATE");
        _commit = SqliteRows.Prepare(_connection, "COMMIT");
        _rollback = SqliteRows.Prepare(_connection, "ROLLBACK");
        _latest = SqliteRows.Prepare(_connection, SqliteDialect.Latest, ("$name", SqliteType.Text));
        _insert = SqliteRows.Prepare(_connection, SqliteDialect.Insert,
            ("$id", SqliteType.Integer), ("$name", SqliteType.Text), ("$created", SqliteType.Integer),
            ("$deleted", SqliteType.Integer), ("$create_revision", SqliteType.Integer),
            ("$prev_revision", SqliteType.Integer), ("$value", SqliteType.Blob));
        _compact = SqliteRows.Prepare(_connection, SqliteDialect.Compact, ("$after", SqliteType.Integer), ("$upto", SqliteType.Integer));
    }

    public long ReadHighWaterMark() => SqliteRows.Scalar(_connection, SqliteDialect.HighWaterMark);

    public long ReadCompactRevision() => SqliteRows.Scalar(_connection, SqliteDialect.CompactRevision);

    /// <summary>Reads a pragma on the write connection (tests use it to pin the durability settings).</summary>
    internal string Pragma(string name)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "PRAGMA " + name;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    public void Rollback()
    {
        // After some errors SQLite has already rolled back; a second ROLLBACK would throw.
        if (!_connection.Handle!.IsInvalid && SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
            _rollback.ExecuteNonQuery();
    }

    public bool TryGetLatest(string key, out LogRow row)
    {
        _latest.Parameters[0].Value = key;
        using var r = _latest.ExecuteReader();
        if (r.Read())
        {
            row = SqliteRows.Read(r);
            return true;
        }
        row = default;
        return false;
    }

    public void Append(in LogRow row)
    {
        var p = _insert.Parameters;
        p[0].Value = row.Revision;
        p[1].Value = row.Key;
        p[2].Value = row.Created ? 1L : 0L;
        p[3].Value = row.Deleted ? 1L : 0L;
        p[4].Value = row.CreateRevision;
        p[5].Value = row.PrevRevision;
        p[6].Value = row.Value;
        _insert.ExecuteNonQuery();
    }

    public void Compact(long afterRevision, long upToRevision)
    {
        _compact.Parameters[0].Value = afterRevision;
        _compact.Parameters[1].Value = upToRevision;
        _compact.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var cmd in new[] { _begin, _commit, _rollback, _latest, _insert, _compact }) cmd.Dispose();
        _connection.Dispose();
    }
}
