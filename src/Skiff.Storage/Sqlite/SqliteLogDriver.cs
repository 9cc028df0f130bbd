using Microsoft.Data.Sqlite;
using Skiff.Storage.LogStructured;

namespace Skiff.Storage.Sqlite;

/// <summary>The SQLite way of storing the log: one write connection, a pool of read connections.</summary>
internal sealed class SqliteLogDriver : ILogDriver
{
    private readonly SqliteWriteSession _writer;
    private readonly SqliteReadPool _readers;
    private readonly FileStream _ownerLock;

    public SqliteLogDriver(string path, int maxIdleReaders)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _ownerLock = TakeOwnership(path);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // The store keeps its own sessions (with prepared statements); ADO.NET pooling would only add a layer.
            Pooling = false,
        }.ToString();
        try
        {
            _writer = new SqliteWriteSession(connectionString);
            _readers = new SqliteReadPool(connectionString, maxIdleReaders);
        }
        catch
        {
            _ownerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The writer numbers revisions itself, which is only right if it is the file's only writer:
    /// an exclusive lock on a sibling file (flock on Linux) turns a second opener into an error.
    /// </summary>
    private static FileStream TakeOwnership(string path)
    {
        try
        {
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"the datastore {path} is already open in another store or process", ex);
        }
    }

    public ILogWriteSession Writer => _writer;

    public ILogReadSession RentReader() => _readers.Rent();

    public void Dispose()
    {
        _readers.Dispose();
        _writer.Dispose();
        _ownerLock.Dispose();
    }
}
