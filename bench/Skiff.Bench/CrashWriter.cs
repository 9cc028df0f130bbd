using Skiff.Storage;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench;

/// <summary>
/// Writes creates from several concurrent loops until the process is killed, printing
/// <c>ack &lt;key&gt; &lt;revision&gt;</c> for each write the store acknowledged. A test (or a person)
/// SIGKILLs it and checks that every printed write is in the reopened store.
/// </summary>
internal static class CrashWriter
{
    public static async Task<int> RunAsync(string dbPath)
    {
        await using var store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = dbPath, CompactInterval = TimeSpan.Zero });
        var output = Console.Out;
        var gate = new Lock();
        Console.WriteLine("ready");
        await Task.WhenAll(Enumerable.Range(0, 16).Select(loop => Task.Run(async () =>
        {
            var value = new byte[256];
            for (var i = 0; ; i++)
            {
                var key = $"/crash/{loop}/{i}";
                var r = await store.CreateAsync(key, value);
                if (r.Status != WriteStatus.Ok) throw new InvalidOperationException($"{key}: {r.Status}");
                lock (gate)
                {
                    output.WriteLine($"ack {key} {r.Revision}");
                    output.Flush();
                }
            }
        })));
        return 0;
    }
}
