using Skiff.Storage.LogStructured;

namespace Skiff.Storage.Sqlite;

/// <summary>Where the SQLite store lives, plus the shared log tuning.</summary>
public sealed record SqliteStoreOptions : LogStoreOptions
{
    /// <summary>The database file; the server uses <c>&lt;data-dir&gt;/server/db/state.db</c>. Its directory is created if missing.</summary>
    public required string Path { get; init; }

    /// <summary>Idle read connections kept open for reuse.</summary>
    public int MaxIdleReaders { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);
}
