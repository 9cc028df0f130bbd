using System.Runtime;
using Microsoft.Extensions.Logging;

namespace Skiff.Diagnostics;

/// <summary>
/// Logs where the process's memory goes (GC heap by generation, committed bytes, JIT'd code,
/// threads) every interval, when SKIFF_DEBUG_MEMORY is set to a number of seconds. A tool for
/// memory work on machines without dotnet-counters; off by default.
/// </summary>
public static class MemoryReporter
{
    public static Task RunIfEnabledAsync(ILogger log, CancellationToken ct)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("SKIFF_DEBUG_MEMORY"), out var seconds) || seconds <= 0) return Task.CompletedTask;
        return LoopAsync(log, TimeSpan.FromSeconds(seconds), ct);
    }

    private static async Task LoopAsync(ILogger log, TimeSpan every, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(every, ct);
                var info = GC.GetGCMemoryInfo();
                var gens = string.Join(" ", info.GenerationInfo.ToArray().Select((g, i) => $"g{i}={g.SizeAfterBytes / 1024}K"));
                using var self = System.Diagnostics.Process.GetCurrentProcess();
                log.LogInformation(
                    "memory: rss={Rss}M heap={Heap}K committed={Committed}K {Generations} fragmented={Fragmented}K jit={JitMethods} methods/{JitIL}K IL threads={Threads} gcs={Gen0}/{Gen1}/{Gen2}",
                    self.WorkingSet64 / (1024 * 1024), info.HeapSizeBytes / 1024, info.TotalCommittedBytes / 1024, gens, info.FragmentedBytes / 1024,
                    System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompiledILBytes() / 1024, self.Threads.Count,
                    GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            }
        }
        catch (OperationCanceledException) { }
    }
}
