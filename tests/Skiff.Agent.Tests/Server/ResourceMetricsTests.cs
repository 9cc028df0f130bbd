using Skiff.Agent.Cri.V1;
using Skiff.Agent.Server;

namespace Skiff.Agent.Tests.Server;

public sealed class ResourceMetricsTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "1")]
    [InlineData(254.050927655, "254.050927655")]
    [InlineData(123456, "123456")]
    [InlineData(1_000_000, "1e+06")]
    [InlineData(863_531_008, "8.63531008e+08")]
    [InlineData(1_710_211_558.868, "1.710211558868e+09")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001234, "1.234e-05")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.1, "0.1")]
    public void Floats_are_printed_as_Go_prints_them_for_Prometheus(double value, string text) =>
        Assert.Equal(text, ResourceMetrics.GoFloat(value));

    [Fact]
    public void The_node_is_proc_stats_busy_time_and_meminfos_working_set()
    {
        const string stat = "cpu  1000 50 300 90000 400 20 30 5 0 0\ncpu0 500 25 150 45000 200 10 15 2 0 0\nintr 1 2 3\n";
        const string meminfo = "MemTotal:        4000000 kB\nMemFree:         1000000 kB\nMemAvailable:    2500000 kB\nInactive(file):   500000 kB\n";
        var node = ResourceMetrics.ReadNode(stat, meminfo, 42)!;
        Assert.Equal(14.05, node.CpuSeconds, 6); // (1000+50+300+20+30+5) / 100
        Assert.Equal(2_500_000d * 1024, node.MemoryWorkingSetBytes);
        Assert.Null(ResourceMetrics.ReadNode("intr 1\n", meminfo, 42));
        Assert.Null(ResourceMetrics.ReadNode(stat, "MemTotal: 1 kB\n", 42));
    }

    [Fact]
    public void Only_running_containers_with_cpu_memory_and_the_kubelets_labels_are_reported()
    {
        Container Running(string id, string pod, string name) => new()
        {
            Id = id, CreatedAt = 1_700_000_000_500_000_000, State = ContainerState.ContainerRunning,
            Labels = { ["io.kubernetes.pod.name"] = pod, ["io.kubernetes.pod.namespace"] = "shop", ["io.kubernetes.container.name"] = name },
        };
        ContainerStats Stats(string id, ulong? cpuNs = 2_500_000_000, ulong? memory = 4096) => new()
        {
            Attributes = new ContainerAttributes { Id = id },
            Cpu = new CpuUsage { Timestamp = 1_700_000_100_000_000_000, UsageCoreNanoSeconds = cpuNs is null ? null : new UInt64Value { Value = cpuNs.Value } },
            Memory = new MemoryUsage { Timestamp = 1_700_000_100_000_000_000, WorkingSetBytes = memory is null ? null : new UInt64Value { Value = memory.Value } },
        };
        var running = new Dictionary<string, Container> { ["a"] = Running("a", "web", "app"), ["b"] = Running("b", "web", "side"), ["c"] = Running("c", "db", "pg") };
        running["c"].Labels.Remove("io.kubernetes.pod.name"); // not the kubelet's

        var usage = ResourceMetrics.Containers(running, [Stats("a"), Stats("b", cpuNs: null), Stats("c"), Stats("gone")]);

        var only = Assert.Single(usage);
        Assert.Equal(new ContainerUsage("shop", "web", "app", 2.5, 4096, 1_700_000_000.5, 1_700_000_100_000), only);
    }

    [Fact]
    public void The_text_has_upstreams_families_sorted_pods_summed_and_each_samples_timestamp()
    {
        var containers = new[]
        {
            new ContainerUsage("shop", "web", "side", 0.5, 1024, 1_700_000_000.25, 1_700_000_100_000),
            new ContainerUsage("shop", "web", "app", 2, 3072, 1_700_000_000, 1_700_000_100_500),
            new ContainerUsage("kube-system", "dns", "app", 1, 2_000_000, 1_600_000_000, 1_700_000_100_000),
        };
        var text = ResourceMetrics.Render(new NodeUsage(254.05, 863_531_008, 1_700_000_101_000), containers, scrapeError: false);
        Assert.Equal("""
            # HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
            # TYPE container_cpu_usage_seconds_total counter
            container_cpu_usage_seconds_total{container="app",namespace="kube-system",pod="dns"} 1 1700000100000
            container_cpu_usage_seconds_total{container="app",namespace="shop",pod="web"} 2 1700000100500
            container_cpu_usage_seconds_total{container="side",namespace="shop",pod="web"} 0.5 1700000100000
            # HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes
            # TYPE container_memory_working_set_bytes gauge
            container_memory_working_set_bytes{container="app",namespace="kube-system",pod="dns"} 2e+06 1700000100000
            container_memory_working_set_bytes{container="app",namespace="shop",pod="web"} 3072 1700000100500
            container_memory_working_set_bytes{container="side",namespace="shop",pod="web"} 1024 1700000100000
            # HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds
            # TYPE container_start_time_seconds gauge
            container_start_time_seconds{container="app",namespace="kube-system",pod="dns"} 1.6e+09 1600000000000
            container_start_time_seconds{container="app",namespace="shop",pod="web"} 1.7e+09 1700000000000
            container_start_time_seconds{container="side",namespace="shop",pod="web"} 1.70000000025e+09 1700000000250
            # HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
            # TYPE node_cpu_usage_seconds_total counter
            node_cpu_usage_seconds_total 254.05 1700000101000
            # HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
            # TYPE node_memory_working_set_bytes gauge
            node_memory_working_set_bytes 8.63531008e+08 1700000101000
            # HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds
            # TYPE pod_cpu_usage_seconds_total counter
            pod_cpu_usage_seconds_total{namespace="kube-system",pod="dns"} 1 1700000100000
            pod_cpu_usage_seconds_total{namespace="shop",pod="web"} 2.5 1700000100500
            # HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes
            # TYPE pod_memory_working_set_bytes gauge
            pod_memory_working_set_bytes{namespace="kube-system",pod="dns"} 2e+06 1700000100000
            pod_memory_working_set_bytes{namespace="shop",pod="web"} 4096 1700000100500
            # HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
            # TYPE resource_scrape_error gauge
            resource_scrape_error 0

            """.Replace("\r", ""), text);

        // Without containers only the node and the scrape result remain; a failed runtime call says so.
        var empty = ResourceMetrics.Render(null, [], scrapeError: true);
        Assert.Equal("# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n"
            + "# TYPE resource_scrape_error gauge\nresource_scrape_error 1\n", empty);
    }
}
