using System.Collections.Concurrent;
using System.Diagnostics;

namespace Skiff.Bench;

/// <summary>
/// Fires <c>count</c> operations at a fixed rate from a dedicated thread, never waiting for one to
/// finish before starting the next. Each latency is measured from the operation's scheduled start,
/// so time spent queued (in the client, the connection or the server) is counted.
/// </summary>
internal static class OpenLoop
{
    public static async Task<OpenLoopResult> RunAsync(int count, double ratePerSecond, Func<int, CancellationToken, Task> operation)
    {
        var latencies = new double[count];
        var failed = new bool[count];
        var errorKinds = new ConcurrentDictionary<string, int>();
        var tasks = new Task[count];
        var ticksPerOp = Stopwatch.Frequency / ratePerSecond;
        var maxLagTicks = 0L;
        var t0 = Stopwatch.GetTimestamp();

        async Task Measure(int i, long scheduled)
        {
            try
            {
                await operation(i, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failed[i] = true;
                var kind = e is HttpStatusException h ? $"HTTP {(int)h.Status}" : Describe(e);
                errorKinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
            }
            latencies[i] = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
        }

        // A dedicated thread, so a busy thread pool cannot delay the schedule itself.
        var scheduler = new Thread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                var scheduled = t0 + (long)(i * ticksPerOp);
                var wait = scheduled - Stopwatch.GetTimestamp();
                if (wait > 0) Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                maxLagTicks = Math.Max(maxLagTicks, Stopwatch.GetTimestamp() - scheduled);
                var index = i; // the for variable is shared by every closure
                tasks[i] = Task.Run(() => Measure(index, scheduled));
            }
        }) { IsBackground = true, Name = "open-loop scheduler" };
        scheduler.Start();
        await Task.Run(scheduler.Join).ConfigureAwait(false);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(t0);

        Array.Sort(latencies);
        return new OpenLoopResult(latencies, failed.Count(f => f), elapsed, maxLagTicks * 1000.0 / Stopwatch.Frequency, new Dictionary<string, int>(errorKinds));
    }

    /// <summary>The exception and its inner ones in one line: the innermost says what really happened.</summary>
    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) parts.Add($"{x.GetType().Name}: {x.Message}");
        return string.Join(" ← ", parts);
    }
}

internal sealed record OpenLoopResult(double[] SortedLatenciesMs, int Errors, TimeSpan Elapsed, double MaxStartLagMs, Dictionary<string, int> ErrorKinds)
{
    /// <summary>Completed operations per second, from the first scheduled start to the last completion.</summary>
    public double AchievedRate => SortedLatenciesMs.Length / Elapsed.TotalSeconds;

    public double Percentile(double p) => SortedLatenciesMs.Length == 0
        ? 0
        : SortedLatenciesMs[Math.Clamp((int)Math.Ceiling(p * SortedLatenciesMs.Length) - 1, 0, SortedLatenciesMs.Length - 1)];
}
