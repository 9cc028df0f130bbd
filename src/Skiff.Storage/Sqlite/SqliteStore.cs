using Microsoft.Extensions.Logging;
using Skiff.Storage.LogStructured;

namespace Skiff.Storage.Sqlite;

/// <summary>
/// The embedded datastore: the log-structured store over one SQLite file in WAL mode.
/// Thread-safe; one instance per file per process (the writer assumes it is the only one).
/// </summary>
public sealed class SqliteStore : LogStore
{
    private SqliteStore(SqliteLogDriver driver, SqliteStoreOptions options, ILogger? logger)
        : base(driver, options, logger)
    {
    }

    /// <summary>Opens (creating if needed) the store at <see cref="SqliteStoreOptions.Path"/>.</summary>
    public static Task<SqliteStore> OpenAsync(SqliteStoreOptions options, ILogger? logger = null, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        // Opening is short synchronous file work (schema, WAL recovery); it runs on the pool so callers are not blocked.
        return Task.Run(() =>
        {
            var driver = new SqliteLogDriver(options.Path, options.MaxIdleReaders);
            try
            {
                var store = new SqliteStore(driver, options, logger);
                logger?.LogInformation("opened sqlite store {Path} at revision {Revision} (compacted to {Compact}; SQLite {SqliteVersion})",
                    options.Path, store.CurrentRevision, store.CompactRevision, SqliteProvider.Version);
                return store;
            }
            catch
            {
                driver.Dispose();
                throw;
            }
        }, ct);
    }
}
