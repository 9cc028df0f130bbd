using System.Diagnostics;
using System.Globalization;
using Skiff.Storage.Sqlite;

namespace Skiff.Bench;

/// <summary>
/// Read costs of SqliteStore with a table of a given size: point gets from many clients, a
/// full-prefix list, and a paged list (limit 500) as the API server's LIST does.
/// </summary>
internal static class ReadBenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var keys = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var root = Directory.CreateTempSubdirectory("skiff-bench-").FullName;
        try
        {
            await using var store = await SqliteStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(root, "state.db"), CompactInterval = TimeSpan.Zero });
            var value = new byte[1024];
            await LoadRunner.RunAsync("fill", "sqlite", keys, 50, i => store.CreateAsync($"/registry/pods/ns{i % 10}/p{i:D8}", value));

            var gets = await LoadRunner.RunAsync("get, 50 clients", "sqlite", 50_000, 50,
                i => store.GetAsync($"/registry/pods/ns{i % 10}/p{i % keys:D8}"));
            var full = await Time(() => store.ListAsync("/registry/pods/"));
            var ns = await Time(() => store.ListAsync("/registry/pods/ns3/"));
            var page = await Time(() => store.ListAsync("/registry/pods/", limit: 500));

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"SqliteStore reads, {keys} keys of 1 KiB, {Environment.ProcessorCount} cores");
            Console.WriteLine();
            Console.WriteLine("| read | result |");
            Console.WriteLine("| --- | ---: |");
            Console.WriteLine(string.Create(inv, $"| get, 50 clients | {gets.OpsPerSecond:0} ops/s, p50 {gets.P50Ms:0.000} ms, p99 {gets.P99Ms:0.000} ms |"));
            Console.WriteLine(string.Create(inv, $"| list all {keys} | {full:0.0} ms |"));
            Console.WriteLine(string.Create(inv, $"| list one namespace ({keys / 10}) | {ns:0.0} ms |"));
            Console.WriteLine(string.Create(inv, $"| list limit 500 (+count) | {page:0.0} ms |"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return 0;
    }

    /// <summary>Best of five, in milliseconds.</summary>
    private static async Task<double> Time(Func<Task> action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return best;
    }
}
