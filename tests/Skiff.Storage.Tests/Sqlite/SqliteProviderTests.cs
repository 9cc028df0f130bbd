using Skiff.Storage.Sqlite;

namespace Skiff.Storage.Tests.Sqlite;

public sealed class SqliteProviderTests
{
    [Fact]
    public void StoreRunsOnTheSystemSqlite()
    {
        // The store uses the system's SQLite through SQLitePCLRaw's "sqlite3" provider (libsqlite3.so under the JIT,
        // libsqlite3.a linked into the AOT binary), not a bundled e_sqlite3 that would have to ship beside skiff.
        var dir = Directory.CreateTempSubdirectory("skiff-store-test-").FullName;
        try
        {
            using var driver = new SqliteLogDriver(Path.Combine(dir, "state.db"), 1);
            Assert.Equal("sqlite3", SQLitePCL.raw.GetNativeLibraryName());
            Assert.StartsWith("3.", SqliteProvider.Version);
            var maps = File.ReadAllText("/proc/self/maps");
            Assert.Contains("libsqlite3.so", maps);
            Assert.DoesNotContain("e_sqlite3", maps);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
