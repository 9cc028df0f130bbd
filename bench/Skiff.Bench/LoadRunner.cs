using System.Diagnostics;

namespace Skiff.Bench;

/// <summary>One measured run: throughput and latency percentiles.</summary>
internal sealed record LoadResult(string Load, string Target, int Ops, TimeSpan Elapsed, double P50Ms, double P99Ms)
{
    public double OpsPerSecond => Ops / Elapsed.TotalSeconds;
}

/// <summary>Drives a create function with N concurrent clients and records every call's latency.</summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(string load, string target, int ops, int clients, Func<int, Task> create)
    {
        var latencies = new double[ops];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < ops; i = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                await create(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        total.Stop();
        Array.Sort(latencies);
        return new LoadResult(load, target, ops, total.Elapsed, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
