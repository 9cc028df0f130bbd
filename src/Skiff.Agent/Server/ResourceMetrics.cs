using System.Globalization;
using System.Text;
using Skiff.Agent.Cri;
using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Server;

/// <summary>The node's CPU time and memory working set at one moment.</summary>
public sealed record NodeUsage(double CpuSeconds, double MemoryWorkingSetBytes, long TimestampMs);

/// <summary>One running container's CPU time, memory working set and start, as the runtime reports them.</summary>
public sealed record ContainerUsage(string Namespace, string Pod, string Container, double CpuSeconds, double MemoryWorkingSetBytes,
    double StartTimeSeconds, long TimestampMs);

/// <summary>
/// The kubelet's <c>/metrics/resource</c>, what metrics-server scrapes for <c>kubectl top</c> and the autoscalers:
/// upstream's STABLE families in Prometheus text format, sorted by name and labels, with each sample's own timestamp
/// in milliseconds and floats as Go prints them. Containers are the runtime's running ones (CRI ListContainerStats,
/// the working set as containerd computes it: usage less inactive file pages); a pod is the sum of its containers,
/// as upstream's CRI stats provider sums them; the node is /proc/stat's busy time and /proc/meminfo's
/// MemTotal − MemFree − Inactive(file). Swap families are left out (no swap is reported). Stateless; thread-safe.
/// </summary>
public static class ResourceMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    private const string PodNameLabel = "io.kubernetes.pod.name"; // the CRI labels the kubelet sets (Kubelet/PodNaming)
    private const string PodNamespaceLabel = "io.kubernetes.pod.namespace";
    private const string ContainerNameLabel = "io.kubernetes.container.name";
    private const double UserHz = 100; // /proc/stat's unit on Linux

    /// <summary>Reads the node from /proc and the containers from the runtime; a failed runtime call sets the scrape error.</summary>
    public static async Task<string> ScrapeAsync(RuntimeServiceClient runtime, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        NodeUsage? node = null;
        try { node = ReadNode(await File.ReadAllTextAsync("/proc/stat", ct).ConfigureAwait(false), await File.ReadAllTextAsync(ProcMemInfo.File, ct).ConfigureAwait(false), now); }
        catch (IOException) { }
        try
        {
            var running = (await runtime.ListContainersAsync(new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } }, ct).ConfigureAwait(false))
                .ToDictionary(c => c.Id);
            var stats = await runtime.ListContainerStatsAsync(null, ct).ConfigureAwait(false);
            return Render(node, Containers(running, stats), scrapeError: false);
        }
        catch (Cri.Grpc.RpcException)
        {
            return Render(node, [], scrapeError: true);
        }
    }

    /// <summary>The running containers' usage: those with both CPU and memory figures and the kubelet's labels.</summary>
    public static List<ContainerUsage> Containers(IReadOnlyDictionary<string, Container> running, IEnumerable<ContainerStats> stats)
    {
        var result = new List<ContainerUsage>();
        foreach (var s in stats)
        {
            if (s.Attributes is not { } a || !running.TryGetValue(a.Id, out var c)) continue;
            if (s.Cpu?.UsageCoreNanoSeconds is not { } cpu || s.Memory?.WorkingSetBytes is not { } memory) continue;
            if (!c.Labels.TryGetValue(PodNameLabel, out var pod) || !c.Labels.TryGetValue(PodNamespaceLabel, out var ns)) continue;
            var name = c.Labels.GetValueOrDefault(ContainerNameLabel) ?? c.Metadata?.Name ?? a.Metadata?.Name ?? "";
            result.Add(new ContainerUsage(ns, pod, name, cpu.Value / 1e9, memory.Value, c.CreatedAt / 1e9, Math.Max(s.Cpu.Timestamp, s.Memory.Timestamp) / 1_000_000));
        }
        return result;
    }

    /// <summary>The node's usage from the text of /proc/stat and /proc/meminfo; null when either lacks what is needed.</summary>
    public static NodeUsage? ReadNode(string procStat, string meminfo, long timestampMs)
    {
        var cpuLine = procStat.Split('\n').FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (cpuLine is null) return null;
        var f = cpuLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (f.Length < 8) return null;
        // user nice system idle iowait irq softirq steal: busy is all but idle and iowait (guest time is inside user).
        var busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
        var mem = ProcMemInfo.Parse(meminfo);
        if (!mem.TryGetValue("MemTotal", out var total) || !mem.TryGetValue("MemFree", out var free)) return null;
        var workingSet = Math.Max(0, total - free - mem.GetValueOrDefault("Inactive(file)"));
        return new NodeUsage(busy / UserHz, workingSet, timestampMs);
    }

    public static string Render(NodeUsage? node, IReadOnlyList<ContainerUsage> containers, bool scrapeError)
    {
        var b = new StringBuilder();
        var sorted = containers.OrderBy(c => c.Container, StringComparer.Ordinal).ThenBy(c => c.Namespace, StringComparer.Ordinal)
            .ThenBy(c => c.Pod, StringComparer.Ordinal).ToList();
        var pods = containers.GroupBy(c => (c.Namespace, c.Pod))
            .Select(g => (g.Key.Namespace, g.Key.Pod, Cpu: g.Sum(c => c.CpuSeconds), Memory: g.Sum(c => c.MemoryWorkingSetBytes), Ts: g.Max(c => c.TimestampMs)))
            .OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Pod, StringComparer.Ordinal).ToList();

        Family(b, "container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the container in core-seconds",
            sorted.Select(c => (ContainerLabels(c), c.CpuSeconds, (long?)c.TimestampMs)));
        Family(b, "container_memory_working_set_bytes", "gauge", "Current working set of the container in bytes",
            sorted.Select(c => (ContainerLabels(c), c.MemoryWorkingSetBytes, (long?)c.TimestampMs)));
        Family(b, "container_start_time_seconds", "gauge", "Start time of the container since unix epoch in seconds",
            sorted.Select(c => (ContainerLabels(c), c.StartTimeSeconds, (long?)(long)(c.StartTimeSeconds * 1000))));
        if (node is not null)
        {
            Family(b, "node_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the node in core-seconds", [("", node.CpuSeconds, node.TimestampMs)]);
            Family(b, "node_memory_working_set_bytes", "gauge", "Current working set of the node in bytes", [("", node.MemoryWorkingSetBytes, node.TimestampMs)]);
        }
        Family(b, "pod_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the pod in core-seconds",
            pods.Select(p => (PodLabels(p.Namespace, p.Pod), p.Cpu, (long?)p.Ts)));
        Family(b, "pod_memory_working_set_bytes", "gauge", "Current working set of the pod in bytes",
            pods.Select(p => (PodLabels(p.Namespace, p.Pod), p.Memory, (long?)p.Ts)));
        Family(b, "resource_scrape_error", "gauge", "1 if there was an error while getting container metrics, 0 otherwise",
            [("", scrapeError ? 1 : 0, null)]);
        return b.ToString();
    }

    /// <summary>A float as Go's strconv.FormatFloat(f, 'g', -1, 64) prints it, which is what Prometheus's text format uses.</summary>
    public static string GoFloat(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "+Inf" : "-Inf";
        if (value == 0) return double.IsNegative(value) ? "-0" : "0";
        // The shortest digits that read back as the same double, and the decimal exponent.
        string e = "";
        for (var p = 0; p <= 16; p++)
        {
            e = value.ToString("E" + p, CultureInfo.InvariantCulture);
            if (double.Parse(e, CultureInfo.InvariantCulture) == value) break;
        }
        var negative = e[0] == '-';
        var mantissa = e.TrimStart('-')[..e.TrimStart('-').IndexOf('E')];
        var exponent = int.Parse(e[(e.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
        var digits = mantissa.Replace(".", "").TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var sign = negative ? "-" : "";
        if (exponent < -4 || exponent >= 6) // Go's rule for the shortest form: exponent notation outside [1e-4, 1e6)
        {
            var m = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            return $"{sign}{m}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }
        if (exponent < 0) return $"{sign}0.{new string('0', -exponent - 1)}{digits}";
        return digits.Length <= exponent + 1
            ? sign + digits + new string('0', exponent + 1 - digits.Length)
            : $"{sign}{digits[..(exponent + 1)]}.{digits[(exponent + 1)..]}";
    }

    private static void Family(StringBuilder b, string name, string type, string help, IEnumerable<(string Labels, double Value, long? Ts)> samples)
    {
        var list = samples.ToList();
        if (list.Count == 0) return; // as a Prometheus registry gathers: a family without samples is left out
        b.Append("# HELP ").Append(name).Append(" [STABLE] ").Append(help).Append('\n');
        b.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value, ts) in list)
        {
            b.Append(name);
            if (labels.Length > 0) b.Append('{').Append(labels).Append('}');
            b.Append(' ').Append(GoFloat(value));
            if (ts is { } t) b.Append(' ').Append(t.ToString(CultureInfo.InvariantCulture));
            b.Append('\n');
        }
    }

    private static string ContainerLabels(ContainerUsage c) => $"container=\"{Escape(c.Container)}\",{PodLabels(c.Namespace, c.Pod)}";

    private static string PodLabels(string ns, string pod) => $"namespace=\"{Escape(ns)}\",pod=\"{Escape(pod)}\"";

    private static string Escape(string v) => v.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
