using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Skiff.Bench;

/// <summary>
/// Memory of an idle <c>skiff server</c> (no agent, empty datastore) under several runtime
/// settings: /proc/PID/status when it is ready, after an idle period, and after the discovery and
/// OpenAPI reads that fill its caches. One fresh server (and data dir) per variant.
/// </summary>
internal static class MemoryBenchCommand
{
    // GC and JIT settings the server could inherit from the caller's shell; every variant starts
    // from none of them, so "default" really is the runtime's default.
    private static readonly string[] Cleared =
    [
        "DOTNET_GCHeapHardLimit", "DOTNET_GCHeapHardLimitPercent", "DOTNET_GCConserveMemory", "DOTNET_TieredPGO",
        "DOTNET_TieredCompilation", "DOTNET_gcServer", "DOTNET_gcConcurrent", "DOTNET_GCgen0size", "DOTNET_GCHeapAffinitizeMask",
        "DOTNET_GCHeapCount", "DOTNET_ReadyToRun", "DOTNET_TC_QuickJitForLoops", "DOTNET_EnableWriteXorExecute",
    ];

    // Each adds to the runtime default; "A=1,B=2" sets both.
    private static readonly string[] DefaultVariants =
    [
        "",
        "DOTNET_GCConserveMemory=7",
        "DOTNET_TieredPGO=0",
        "DOTNET_GCConserveMemory=7,DOTNET_TieredPGO=0",
        "DOTNET_GCgen0size=400000", // hex: a 4 MiB gen0 budget
        "DOTNET_EnableWriteXorExecute=0", // JIT code mapped once, not twice through a shared memfd
    ];

    private static readonly string[] CacheFillingReads = ["/api", "/apis", "/openapi/v3/apis/apps/v1", "/openapi/v2"];

    public static async Task<int> RunAsync(string[] args)
    {
        var idle = TimeSpan.FromSeconds(BenchArgs.Double(args, "--idle", 15));
        var binary = BenchArgs.SkiffBinary(args);
        var variants = BenchArgs.All(args, "--variant");
        if (variants.Count == 0) variants = [.. DefaultVariants];

        var rows = new List<Row>();
        foreach (var variant in variants)
        {
            Console.Error.WriteLine($"memory: {(variant.Length == 0 ? "default" : variant)} …");
            rows.Add(await MeasureAsync(binary, variant, idle));
        }

        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(inv,
            $"Idle `skiff server --disable-agent` (empty datastore), {Environment.ProcessorCount} cores, load average {ApiBenchCommand.LoadAverage()}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; MiB from /proc/PID/status"));
        sb.AppendLine();
        sb.AppendLine($"| environment | ready s | RSS at ready | RSS after {idle.TotalSeconds:0} s idle | HWM after idle | RSS after reads | HWM after reads | RssAnon / File / Shmem after reads | threads | reads ms (first) |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            sb.AppendLine(string.Create(inv,
                $"| {(r.Variant.Length == 0 ? "default" : "`" + r.Variant.Replace(",", "` `") + "`")} | {r.ReadySeconds:0.0} | {ProcStatus.MiB(r.Ready.VmRssKiB)} | {ProcStatus.MiB(r.Idle.VmRssKiB)} | {ProcStatus.MiB(r.Idle.VmHwmKiB)} | " +
                $"{ProcStatus.MiB(r.AfterReads.VmRssKiB)} | {ProcStatus.MiB(r.AfterReads.VmHwmKiB)} | {ProcStatus.MiB(r.AfterReads.RssAnonKiB)} / {ProcStatus.MiB(r.AfterReads.RssFileKiB)} / {ProcStatus.MiB(r.AfterReads.RssShmemKiB)} | {r.AfterReads.Threads} | {r.ReadsMs:0} |"));
        }
        sb.AppendLine();
        sb.AppendLine(string.Join(", ", rows[0].ReadSizes.Select(kv => $"`GET {kv.Key}` {kv.Value / 1024.0:0.#} KiB")));
        Console.WriteLine(sb.ToString());
        return 0;
    }

    private sealed record Row(string Variant, double ReadySeconds, ProcStatus Ready, ProcStatus Idle, ProcStatus AfterReads, double ReadsMs, Dictionary<string, long> ReadSizes);

    private static async Task<Row> MeasureAsync(string binary, string variant, TimeSpan idle)
    {
        var environment = Cleared.ToDictionary(k => k, string? (_) => null);
        foreach (var setting in variant.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = setting.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--variant wants NAME=VALUE[,NAME=VALUE…], got '{setting}'");
            environment[setting[..eq]] = setting[(eq + 1)..];
        }

        var started = Stopwatch.StartNew();
        await using var server = await SkiffServerProcess.StartAsync(binary, environment, CancellationToken.None);
        var readySeconds = started.Elapsed.TotalSeconds;
        var ready = server.ReadStatus();
        await Task.Delay(idle); // the measurement is of an idle server: nothing to wait on but time
        var afterIdle = server.ReadStatus();

        using var client = server.CreateClient();
        var sizes = new Dictionary<string, long>();
        var reads = Stopwatch.StartNew();
        foreach (var path in CacheFillingReads)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
            sizes[path] = body.Length;
        }
        var readsMs = reads.Elapsed.TotalMilliseconds;
        var afterReads = server.ReadStatus();
        return new Row(variant, readySeconds, ready, afterIdle, afterReads, readsMs, sizes);
    }
}
