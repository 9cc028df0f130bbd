using System.Collections.Concurrent;

namespace Skiff.Storage.Sqlite;

/// <summary>
/// Idle read sessions, reused so statements stay prepared. Thread-safe. Never blocks: when all
/// sessions are busy a new one is opened, and only <c>maxIdle</c> are kept afterwards.
/// </summary>
internal sealed class SqliteReadPool(string connectionString, int maxIdle) : IDisposable
{
    private readonly ConcurrentQueue<SqliteReadSession> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public SqliteReadSession Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryDequeue(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }
        return new SqliteReadSession(this, connectionString);
    }

    public void Return(SqliteReadSession session)
    {
        if (!_disposed && Interlocked.Increment(ref _idleCount) <= maxIdle)
        {
            _idle.Enqueue(session);
            return;
        }
        if (!_disposed) Interlocked.Decrement(ref _idleCount);
        session.Close();
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryDequeue(out var session)) session.Close();
    }
}
