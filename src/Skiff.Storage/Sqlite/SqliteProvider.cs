namespace Skiff.Storage.Sqlite;

/// <summary>
/// Points Microsoft.Data.Sqlite at the system's SQLite (SQLitePCLRaw's "sqlite3" provider) before the first connection
/// opens. Skiff references Microsoft.Data.Sqlite.Core, which carries no SQLite of its own and no bundle that would pick
/// a provider: without this, opening a connection fails with "You need to call SQLitePCL.raw.SetProvider()". Under the
/// JIT (tests, <c>dotnet run</c>) the provider's P/Invokes of "sqlite3" load libsqlite3.so (Debian's libsqlite3-dev);
/// the Native AOT skiff links libsqlite3.a statically and resolves them at link time (src/Skiff/Skiff.csproj).
/// </summary>
internal static class SqliteProvider
{
    // The runtime runs a static constructor exactly once, and other threads wait for it: thread-safe and idempotent.
    static SqliteProvider() => SQLitePCL.raw.SetProvider(new SQLitePCL.SQLite3Provider_sqlite3());

    /// <summary>Sets the provider if it is not set yet; every path that opens a connection calls it first.</summary>
    public static void EnsureInitialized()
    {
    }

    /// <summary>The version of the SQLite library in use, e.g. "3.40.1".</summary>
    public static string Version
    {
        get
        {
            EnsureInitialized();
            return SQLitePCL.raw.sqlite3_libversion().utf8_to_string();
        }
    }
}
