using Skiff.Storage.Sqlite;

namespace Skiff.Storage.Tests;

/// <summary>A temporary directory holding a store; disposing closes the store and deletes the directory.</summary>
public sealed class TempStore : IAsyncDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("skiff-store-test-").FullName;

    public string DbPath => Path.Combine(Dir, "server", "db", "state.db");

    public SqliteStore? Store { get; private set; }

    public SqliteStoreOptions Options { get; private set; } = null!;

    public static async Task<TempStore> OpenAsync(Func<SqliteStoreOptions, SqliteStoreOptions>? configure = null)
    {
        var t = new TempStore();
        t.Options = new SqliteStoreOptions { Path = t.DbPath, CompactInterval = TimeSpan.Zero };
        if (configure is not null) t.Options = configure(t.Options);
        t.Store = await SqliteStore.OpenAsync(t.Options);
        return t;
    }

    public SqliteStore S => Store ?? throw new InvalidOperationException("store is closed");

    public async Task ReopenAsync()
    {
        if (Store is not null) await Store.DisposeAsync();
        Store = await SqliteStore.OpenAsync(Options);
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is not null) await Store.DisposeAsync();
        Store = null;
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

internal static class Bytes
{
    public static byte[] Of(string s) => System.Text.Encoding.UTF8.GetBytes(s);
    public static string Str(byte[] b) => System.Text.Encoding.UTF8.GetString(b);
}
