using System.Globalization;
using System.Text;
using Skiff.Storage;
using Skiff.Storage.Etcd;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench;

/// <summary>
/// The same create load on SqliteStore and on Debian's etcd, side by side: sequential creates,
/// then many clients creating at once. etcd gets the Kubernetes-style create (Txn on
/// create_revision == 0), so both stores do a compare and a durable write per create.
/// </summary>
internal static class StoreBenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sequential = IntArg(args, "--sequential", 2_000);
        var concurrent = IntArg(args, "--concurrent", 10_000);
        var clients = IntArg(args, "--clients", 50);
        var valueBytes = IntArg(args, "--value-bytes", 1024);
        var etcdBinary = StringArg(args, "--etcd", "/usr/bin/etcd");
        var value = new byte[valueBytes];
        Random.Shared.NextBytes(value);

        // Both data dirs under one parent, so both stores fsync to the same filesystem.
        var root = Directory.CreateTempSubdirectory("skiff-bench-").FullName;
        var results = new List<LoadResult>();
        try
        {
            await using (var store = await SqliteStore.OpenAsync(new SqliteStoreOptions
                         { Path = Path.Combine(root, "sqlite", "state.db"), CompactInterval = TimeSpan.Zero }))
            {
                async Task Create(string key)
                {
                    var r = await store.CreateAsync(key, value);
                    if (r.Status != WriteStatus.Ok) throw new InvalidOperationException($"{key}: {r.Status}");
                }
                await LoadRunner.RunAsync("warm-up", "sqlite", 500, 10, i => Create($"/registry/warm/{i}"));
                results.Add(await LoadRunner.RunAsync("sequential", "sqlite", sequential, 1, i => Create($"/registry/seq/{i:D8}")));
                results.Add(await LoadRunner.RunAsync($"{clients} clients", "sqlite", concurrent, clients, i => Create($"/registry/conc/{i:D8}")));
            }

            if (File.Exists(etcdBinary))
            {
                await using var etcd = await EtcdProcess.StartAsync(etcdBinary, Path.Combine(root, "etcd"), CancellationToken.None);
                using var client = new EtcdClient(etcd.Endpoint);
                async Task Create(string key)
                {
                    var (created, _) = await client.CreateIfAbsentAsync(key, value);
                    if (!created) throw new InvalidOperationException($"{key}: exists");
                }
                await LoadRunner.RunAsync("warm-up", "etcd", 500, 10, i => Create($"/registry/warm/{i}"));
                results.Add(await LoadRunner.RunAsync("sequential", "etcd", sequential, 1, i => Create($"/registry/seq/{i:D8}")));
                results.Add(await LoadRunner.RunAsync($"{clients} clients", "etcd", concurrent, clients, i => Create($"/registry/conc/{i:D8}")));
            }
            else
            {
                Console.Error.WriteLine($"{etcdBinary} not found (apt-get install etcd-server); measuring SQLite only");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        Console.WriteLine(Table(results, valueBytes));
        return 0;
    }

    private static string Table(List<LoadResult> results, int valueBytes)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"Creates of {valueBytes}-byte values, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine("| load | store | ops | ops/s | p50 ms | p99 ms | sqlite/etcd ops/s |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            var etcd = results.FirstOrDefault(e => e.Target == "etcd" && e.Load == r.Load);
            var ratio = r.Target == "sqlite" && etcd is not null ? (r.OpsPerSecond / etcd.OpsPerSecond).ToString("0.00", inv) + "×" : "";
            sb.AppendLine(string.Create(inv, $"| {r.Load} | {r.Target} | {r.Ops} | {r.OpsPerSecond:0} | {r.P50Ms:0.00} | {r.P99Ms:0.00} | {ratio} |"));
        }
        return sb.ToString();
    }

    private static int IntArg(string[] args, string name, int fallback) =>
        int.Parse(StringArg(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    private static string StringArg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
