using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Controllers.SimulatedNodes;
using Skiff.Scheduler;

namespace Skiff.Bench;

/// <summary>
/// kube-scheduler's SchedulingBasic shape against a real skiff server: N simulated nodes (registered only;
/// no kubelet simulation, as scheduler_perf), I initial pods scheduled first, then M measured pods. The
/// measured pods are created while no scheduler runs, then a fresh scheduler (in this process, so its
/// memory can be read) schedules the backlog: pods/s is M over the time from its caches' sync to the last
/// binding; per-pod latency is one scheduling attempt, from pop to the end of its binding.
/// </summary>
internal static class SchedulingBenchCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var nodes = BenchArgs.Int(args, "--nodes", 500);
        var initPods = BenchArgs.Int(args, "--init-pods", 500);
        var pods = Math.Max(1, BenchArgs.Int(args, "--pods", 1000));
        var binary = BenchArgs.SkiffBinary(args);
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var ct = cts.Token;

        Console.WriteLine($"scheduling: {nodes} nodes, {initPods} initial pods, {pods} measured pods; skiff {binary}");
        // The nodes are registered, never renewed: the node lifecycle controller must not find them unreachable mid-run.
        await using var server = await SkiffServerProcess.StartAsync(binary, new Dictionary<string, string?>(), ct,
            ["--disable-scheduler", "--kube-controller-manager-arg", "node-monitor-grace-period=24h", "--kube-controller-manager-arg", "node-startup-grace-period=24h"]);
        using var client = KubeClient.FromKubeconfig(server.KubeconfigPath);

        var sw = Stopwatch.StartNew();
        await new SimulatedNodeRegistrar(client, new SimulatedNodeOptions { Count = nodes, Concurrency = 16 }, loggers.CreateLogger("nodes")).RegisterAllAsync(ct);
        Console.WriteLine($"  registered {nodes} nodes in {sw.Elapsed.TotalSeconds:F1} s");
        await client.Namespaces.CreateAsync(new Namespace { Metadata = new() { Name = "bench" } }, ct: ct);

        var baseline = ManagedBytes();
        var options = SchedulerOptions.Default with { LeaderElectionLease = null };

        // Initial pods: scheduled by a first scheduler, not measured.
        if (initPods > 0)
        {
            await CreatePodsAsync(client, "init", initPods, ct);
            await RunSchedulerUntilAsync(client, options, loggers, initPods, null, ct);
            Console.WriteLine($"  {initPods} initial pods scheduled");
        }

        // Measured pods: the backlog for a fresh scheduler.
        sw.Restart();
        await CreatePodsAsync(client, "measured", pods, ct);
        Console.WriteLine($"  created {pods} pods in {sw.Elapsed.TotalSeconds:F1} s ({pods / sw.Elapsed.TotalSeconds:F0}/s)");
        var latencies = new ConcurrentBag<double>();
        var serverCpu = Process.GetProcessById(server.Pid).TotalProcessorTime;
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (elapsed, memory) = await RunSchedulerUntilAsync(client, options, loggers, pods, latencies, ct);
        Console.WriteLine($"  scheduled {pods} pods in {elapsed.TotalSeconds:F2} s; cpu used meanwhile: scheduler process {(Process.GetCurrentProcess().TotalProcessorTime - benchCpu).TotalSeconds:F1} s, " +
                          $"API server {(Process.GetProcessById(server.Pid).TotalProcessorTime - serverCpu).TotalSeconds:F1} s; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

        var sorted = latencies.OrderBy(x => x).ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        Console.WriteLine();
        Console.WriteLine("| nodes | initial pods | measured pods | pods/s | p50 ms | p99 ms | scheduler heap MiB |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| {nodes} | {initPods} | {pods} | {pods / elapsed.TotalSeconds:F0} | {P(0.50):F2} | {P(0.99):F2} | {(memory - baseline) / 1048576.0:F1} |");
        return 0;
    }

    private static long ManagedBytes()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Runs a scheduler until <paramref name="count"/> pods are bound; returns the time from sync to the last binding and the heap while it still held its caches.</summary>
    private static async Task<(TimeSpan Elapsed, long Memory)> RunSchedulerUntilAsync(KubeClient client, SchedulerOptions options, ILoggerFactory loggers,
        int count, ConcurrentBag<double>? latencies, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var host = new SchedulerHost(client, options, loggers, "bench");
        var bound = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var synced = Stopwatch.StartNew();
        host.Started += s =>
        {
            synced.Restart();
            s.Bound += (_, _, attempt) =>
            {
                latencies?.Add(attempt.TotalMilliseconds);
                if (Interlocked.Increment(ref bound) == count) done.TrySetResult();
            };
        };
        var run = host.RunAsync(stop.Token);
        await Task.WhenAny(done.Task, run, Task.Delay(TimeSpan.FromMinutes(10), ct));
        if (!done.Task.IsCompleted) throw new TimeoutException($"only {bound} of {count} pods were bound");
        var elapsed = synced.Elapsed;
        var memory = ManagedBytes();
        stop.Cancel();
        try { await run; } catch (OperationCanceledException) { }
        return (elapsed, memory);
    }

    private static async Task CreatePodsAsync(KubeClient client, string prefix, int count, CancellationToken ct)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, c) =>
        {
            await client.Pods.CreateAsync(new Pod
            {
                Metadata = new() { Name = $"{prefix}-{i}", Namespace = "bench" },
                Spec = new PodSpec
                {
                    // scheduler_perf's pod-default: a pause container asking 100m and 500Mi.
                    Containers = [new Container { Name = "pause", Image = "registry.k8s.io/pause:3.10",
                        Resources = new ResourceRequirements { Requests = new Dictionary<string, Quantity> { ["cpu"] = "100m", ["memory"] = "500Mi" } } }],
                    Tolerations = [new Toleration { Key = SimulatedNodeOptions.TaintKey, Operator = "Exists", Effect = "NoSchedule" }],
                },
            }, "bench", ct: c);
        });
    }
}
