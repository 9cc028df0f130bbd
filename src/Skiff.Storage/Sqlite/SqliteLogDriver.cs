using Microsoft.Data.Sqlite;
using Skiff.Storage.LogStructured;

namespace Skiff.Storage.Sqlite;

/// <summary>The SQLite way of storing the log: one write connection, a pool of read connections.</summary>
internal sealed class SqliteLogDriver : ILogDriver
{
    private readonly SqliteWriteSession _writer;
    private readonly SqliteReadPool _readers;

    public SqliteLogDriver(string path, int maxIdleReaders)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // The store keeps its own sessions (with prepared statements); ADO.NET pooling would only add a layer.
            Pooling = false,
        }.ToString();
        _writer = new SqliteWriteSession(connectionString);
        _readers = new SqliteReadPool(connectionString, maxIdleReaders);
    }

    public ILogWriteSession Writer => _writer;

    public ILogReadSession RentReader() => _readers.Rent();

    public void Dispose()
    {
        _readers.Dispose();
        _writer.Dispose();
    }
}
