using Microsoft.Data.Sqlite;
using Skiff.Storage.LogStructured;

namespace Skiff.Storage.Sqlite;

/// <summary>Reads <see cref="LogRow"/>s out of result sets laid out as <c>id, name, created, deleted, create_revision, prev_revision, value</c>.</summary>
internal static class SqliteRows
{
    public static LogRow Read(SqliteDataReader r, int at = 0) => new(
        r.GetInt64(at),
        r.GetString(at + 1),
        r.GetInt64(at + 2) != 0,
        r.GetInt64(at + 3) != 0,
        r.GetInt64(at + 4),
        r.GetInt64(at + 5),
        r.IsDBNull(at + 6) ? [] : r.GetFieldValue<byte[]>(at + 6));

    public static SqliteCommand Prepare(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, type) in parameters) cmd.Parameters.Add(name, type);
        cmd.Prepare();
        return cmd;
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
