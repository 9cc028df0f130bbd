using Skiff.Agent.Kubelet;
using Skiff.Agent.Kubelet.Eviction;
using Skiff.Agent.Tests.Support;
using Skiff.Agent.Volumes;
using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using Xunit.Abstractions;
using static Skiff.Agent.Tests.Kubelet.PodSyncerEventsTests;

namespace Skiff.Agent.Tests.Kubelet;

public sealed class NodePressureEvictionTests(ITestOutputHelper output)
{
    private const long Mi = 1024 * 1024;
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    // ---- thresholds ----

    [Fact]
    public void The_defaults_are_upstreams_linux_hard_thresholds()
    {
        var d = EvictionThreshold.Defaults.ToDictionary(t => t.Signal);
        Assert.Equal(100 * Mi, d["memory.available"].Quantity);
        Assert.Equal(0.10, d["nodefs.available"].Percentage!.Value, 6);
        Assert.Equal(0.05, d["nodefs.inodesFree"].Percentage!.Value, 6);
        Assert.Equal(0.15, d["imagefs.available"].Percentage!.Value, 6);
        Assert.Equal(0.05, d["imagefs.inodesFree"].Percentage!.Value, 6);
        Assert.False(d.ContainsKey("pid.available"));
    }

    [Fact]
    public void A_threshold_is_met_below_its_quantity_or_its_share_of_the_capacity()
    {
        var t = EvictionThreshold.Parse("memory.available<100Mi,nodefs.available<10%,pid.available<1.5%");
        Assert.True(t[0].IsMet(100 * Mi - 1, 1L << 40));
        Assert.False(t[0].IsMet(100 * Mi, 1));
        Assert.Equal(100, t[1].ValueFor(1000));
        Assert.True(t[1].IsMet(99, 1000));
        Assert.False(t[1].IsMet(100, 1000));
        Assert.Equal(15, t[2].ValueFor(1000));
        Assert.Equal("100Mi", t[0].Describe(123));
        Assert.Equal("100", t[1].Describe(1000));
        Assert.Equal("1Mi", t[1].Describe(10 * Mi + 6)); // the share is truncated to whole bytes, then printed as a quantity
    }

    [Theory]
    [InlineData("memory.available>100Mi", "invalid eviction threshold syntax memory.available>100Mi, expected <signal><operator><value>")]
    [InlineData("cpu.available<1", "unsupported eviction signal cpu.available")]
    [InlineData("memory.available<1Gi,memory.available<2Gi", "found duplicate eviction threshold for signal memory.available")]
    [InlineData("nodefs.available<-1%", "eviction percentage threshold nodefs.available must be >= 0%: -1%")]
    [InlineData("nodefs.available<101%", "eviction percentage threshold nodefs.available must be <= 100%: 101%")]
    [InlineData("memory.available<0", "eviction threshold memory.available must be positive: 0")]
    [InlineData("memory.available<lots", "invalid eviction threshold memory.available: \"lots\" is not a quantity")]
    public void Bad_thresholds_are_refused_with_upstreams_message(string expression, string message)
    {
        var e = Assert.Throws<FormatException>(() => EvictionThreshold.Parse(expression));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_zero_percent_threshold_disables_its_signal_and_an_empty_list_has_none()
    {
        Assert.Equal(["memory.available"], EvictionThreshold.Parse("memory.available<1Gi,nodefs.available<0%").Select(t => t.Signal));
        Assert.Empty(EvictionThreshold.Parse(""));
    }

    [Theory]
    [InlineData(0, true, "0")]
    [InlineData(104857600, true, "100Mi")]
    [InlineData(1536, true, "1536")]
    [InlineData(53478400, true, "52225Ki")]
    [InlineData(1L << 40, true, "1Ti")]
    [InlineData(838860, false, "838860")]
    [InlineData(2000000, false, "2M")]
    public void Amounts_print_as_upstreams_quantities(long value, bool binary, string text) =>
        Assert.Equal(text, EvictionThreshold.FormatQuantity(value, binary));

    [Fact]
    public void Soft_thresholds_take_their_grace_periods_and_need_one_each()
    {
        var soft = EvictionThreshold.ParseSoft("memory.available<1Gi,nodefs.available<15%", "memory.available=1m30s,nodefs.available=2m");
        Assert.Equal([TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(2)], soft.Select(t => t.GracePeriod));
        Assert.All(soft, t => Assert.False(t.IsHard));
        Assert.All(EvictionThreshold.Defaults, t => Assert.True(t.IsHard));

        Assert.Equal("grace period must be specified for the soft eviction threshold nodefs.available",
            Assert.Throws<FormatException>(() => EvictionThreshold.ParseSoft("nodefs.available<15%", "memory.available=1m")).Message);
        Assert.Equal("invalid eviction grace period syntax memory.available:1m, expected <signal>=<duration>",
            Assert.Throws<FormatException>(() => EvictionThreshold.ParseSoft("memory.available<1Gi", "memory.available:1m")).Message);
        Assert.Equal("duplicate eviction grace period specified for memory.available",
            Assert.Throws<FormatException>(() => EvictionThreshold.ParseSoft("memory.available<1Gi", "memory.available=1m,memory.available=2m")).Message);
        Assert.Equal("time: unknown unit \"x\" in duration \"1x\"",
            Assert.Throws<FormatException>(() => EvictionThreshold.ParseSoft("memory.available<1Gi", "memory.available=1x")).Message);
    }

    // ---- signals ----

    [Fact]
    public void The_signals_come_from_meminfo_statvfs_and_the_kernels_pid_limits()
    {
        var mem = new Dictionary<string, long> { ["MemTotal"] = 1000 * Mi, ["MemFree"] = 100 * Mi, ["Inactive(file)"] = 50 * Mi, ["MemAvailable"] = 700 * Mi };
        var nodeFs = new FilesystemStats(1000, 300, 64, 60);
        var imageFs = new FilesystemStats(2000, 100, 0, 0);
        var o = NodeSignals.Observe(mem, nodeFs, imageFs, NodeSignals.PidCapacity("4194304\n", "190000\n"), NodeSignals.Tasks("0.11 1.76 2.77 1/86 883\n"));

        Assert.Equal(new SignalObservation(150 * Mi, 1000 * Mi), o["memory.available"]); // MemFree + Inactive(file): capacity − working set
        Assert.Equal(new SignalObservation(300, 1000), o["nodefs.available"]);
        Assert.Equal(new SignalObservation(60, 64), o["nodefs.inodesFree"]);
        Assert.Equal(new SignalObservation(100, 2000), o["imagefs.available"]);
        Assert.False(o.ContainsKey("imagefs.inodesFree")); // a filesystem without inode counts
        Assert.Equal(new SignalObservation(190000 - 86, 190000), o["pid.available"]);

        var none = NodeSignals.Observe(new Dictionary<string, long>(), null, null, null, null);
        Assert.Empty(none);
        Assert.Null(NodeSignals.Tasks("garbage"));
    }

    [Fact]
    public void Statvfs_reads_a_real_filesystem()
    {
        using var dir = new TempDir();
        var fs = Posix.StatVfs(dir.Path)!;
        Assert.True(fs.CapacityBytes > 0 && fs.AvailableBytes <= fs.CapacityBytes, $"{fs}");
        var drive = new DriveInfo(dir.Path);
        Assert.Equal(drive.TotalSize, fs.CapacityBytes);
        Assert.Null(Posix.StatVfs(dir.Combine("missing")));
    }

    // ---- conditions and admission ----

    private sealed class Harness
    {
        public Evictions Evictions { get; } = new();
        public List<string> Signalled { get; } = [];
        public RecordingKubeletEvents Events { get; } = new();
        public NodePressureEvictor Evictor { get; }
        public List<IReadOnlyList<Pod>> UsageAskedFor { get; } = [];
        public Dictionary<string, PodUsage> Usage { get; } = [];

        public Harness(string thresholds = "memory.available<100Mi,nodefs.available<10%,pid.available<10%")
        {
            Evictor = new NodePressureEvictor(EvictionThreshold.Parse(thresholds), TimeSpan.FromMinutes(5), Evictions, Signalled.Add, "n1",
                new TestLogger<NodePressureEvictor>(), Events);
        }

        public Task<string?> SyncAsync(IReadOnlyDictionary<string, SignalObservation> o, IReadOnlyList<Pod> pods, DateTimeOffset now) =>
            Evictor.SynchronizeAsync(o, pods, p =>
            {
                UsageAskedFor.Add(p);
                return Task.FromResult<IReadOnlyDictionary<string, PodUsage>>(Usage);
            }, now);
    }

    private static Dictionary<string, SignalObservation> Observed(long memoryFree = 1000 * Mi, long diskFree = 500, long pidsFree = 1000) => new()
    {
        ["memory.available"] = new SignalObservation(memoryFree, 2000 * Mi),
        ["nodefs.available"] = new SignalObservation(diskFree, 1000),
        ["pid.available"] = new SignalObservation(pidsFree, 1000),
    };

    private static Pod P(string name, string? memoryRequest = null, int? priority = null, string phase = "Running")
    {
        var c = new Container { Name = "app", Image = "busybox" };
        if (memoryRequest is not null) c.Resources = new ResourceRequirements { Requests = new Dictionary<string, Quantity> { ["memory"] = memoryRequest } };
        return new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "shop", Uid = "uid-" + name },
            Spec = new PodSpec { Containers = [c], Priority = priority },
            Status = new PodStatus { Phase = phase },
        };
    }

    [Fact]
    public async Task A_condition_holds_while_its_threshold_is_met_and_for_the_transition_period_after()
    {
        var h = new Harness();
        await h.SyncAsync(Observed(), [], T0);
        Assert.Empty(h.Evictor.Conditions);

        await h.SyncAsync(Observed(memoryFree: 50 * Mi, diskFree: 50), [], T0);
        Assert.Equal(["DiskPressure", "MemoryPressure"], h.Evictor.Conditions.Order());

        await h.SyncAsync(Observed(diskFree: 50), [], T0 + TimeSpan.FromMinutes(3));
        Assert.Equal(["DiskPressure", "MemoryPressure"], h.Evictor.Conditions.Order()); // memory recovered 3 min ago: still reported

        await h.SyncAsync(Observed(), [], T0 + TimeSpan.FromMinutes(5));
        Assert.Equal(["DiskPressure"], h.Evictor.Conditions.Order());
        await h.SyncAsync(Observed(), [], T0 + TimeSpan.FromMinutes(8) + TimeSpan.FromSeconds(1));
        Assert.Empty(h.Evictor.Conditions);

        await h.SyncAsync(Observed(pidsFree: 10), [], T0 + TimeSpan.FromMinutes(9));
        Assert.Equal(["PIDPressure"], h.Evictor.Conditions);
    }

    [Fact]
    public async Task Under_memory_pressure_only_BestEffort_pods_that_do_not_tolerate_it_are_rejected()
    {
        var h = new Harness();
        Assert.Null(h.Evictor.Admit(P("any")));
        await h.SyncAsync(Observed(memoryFree: 1), [], T0);

        var rejected = h.Evictor.Admit(P("best-effort"));
        Assert.Equal(new AdmissionRejection("Evicted", "The node had condition: [MemoryPressure]. "), rejected);
        Assert.Null(h.Evictor.Admit(P("burstable", memoryRequest: "64Mi")));
        Assert.Null(h.Evictor.Admit(P("critical", priority: 2_000_001_000)));
        var tolerant = P("tolerant");
        tolerant.Spec!.Tolerations = [new Toleration { Key = "node.kubernetes.io/memory-pressure", Operator = "Exists", Effect = "NoSchedule" }];
        Assert.Null(h.Evictor.Admit(tolerant));
        var other = P("other");
        other.Spec!.Tolerations = [new Toleration { Key = "node.kubernetes.io/disk-pressure", Operator = "Exists" }];
        Assert.NotNull(h.Evictor.Admit(other));
    }

    [Fact]
    public async Task Under_disk_pressure_every_pod_but_a_critical_one_is_rejected()
    {
        var h = new Harness();
        await h.SyncAsync(Observed(memoryFree: 1, diskFree: 1), [], T0);
        Assert.Equal("The node had condition: [MemoryPressure DiskPressure]. ", h.Evictor.Admit(P("burstable", memoryRequest: "64Mi"))?.Message);
        var mirror = P("mirror");
        mirror.Metadata!.Annotations = new Dictionary<string, string> { ["kubernetes.io/config.mirror"] = "x" };
        Assert.Null(h.Evictor.Admit(mirror));
    }

    // ---- eviction ----

    [Fact]
    public void Memory_ranks_pods_over_their_request_first_then_lower_priority_then_the_most_over()
    {
        var pods = new[]
        {
            P("under", memoryRequest: "100Mi"),                 // uses 50Mi of 100Mi
            P("over-small", memoryRequest: "10Mi"),             // 20Mi over
            P("over-big"),                                      // 300Mi over
            P("over-important", priority: 1000),                // 900Mi over, but a higher priority
        };
        var usage = new Dictionary<string, long> { ["uid-under"] = 50 * Mi, ["uid-over-small"] = 30 * Mi, ["uid-over-big"] = 300 * Mi, ["uid-over-important"] = 900 * Mi };
        var ranked = NodePressureEvictor.Rank("memory.available", pods,
            uid => new PodUsage(new Dictionary<string, long> { ["app"] = usage[uid] }, new Dictionary<string, long>()));
        Assert.Equal(["over-big", "over-small", "over-important", "under"], ranked.Select(p => p.Metadata!.Name));
    }

    [Fact]
    public void Disk_ranks_by_containers_layers_and_logs_and_the_pods_disk_volumes_and_pids_by_priority_then_processes()
    {
        var a = P("a");
        var b = P("b");
        var disk = new Dictionary<string, PodUsage>
        {
            ["uid-a"] = new(new Dictionary<string, long>(), new Dictionary<string, long> { ["app"] = 10 }, VolumeBytes: 100, Processes: 5),
            ["uid-b"] = new(new Dictionary<string, long>(), new Dictionary<string, long> { ["app"] = 50 }, VolumeBytes: 0, Processes: 50),
        };
        Assert.Equal(["a", "b"], NodePressureEvictor.Rank("nodefs.available", [b, a], uid => disk[uid]).Select(p => p.Metadata!.Name));
        Assert.Equal(["b", "a"], NodePressureEvictor.Rank("pid.available", [a, b], uid => disk[uid]).Select(p => p.Metadata!.Name));
    }

    [Fact]
    public async Task A_met_threshold_evicts_one_pod_with_upstreams_message_then_waits_for_it_to_stop()
    {
        var h = new Harness();
        var important = P("important", priority: 10);
        var cheap = P("cheap");
        var critical = P("critical", priority: 2_000_000_000);
        var finished = P("finished", phase: "Succeeded");
        h.Usage["uid-cheap"] = new PodUsage(new Dictionary<string, long> { ["app"] = 300 * Mi }, new Dictionary<string, long>());
        h.Usage["uid-important"] = new PodUsage(new Dictionary<string, long> { ["app"] = 400 * Mi }, new Dictionary<string, long>());
        h.Usage["uid-critical"] = new PodUsage(new Dictionary<string, long> { ["app"] = 900 * Mi }, new Dictionary<string, long>());
        var pods = new List<Pod> { important, cheap, critical, finished };

        Assert.Null(await h.SyncAsync(Observed(), pods, T0)); // nothing met: nothing evicted, usage not even read
        Assert.Empty(h.UsageAskedFor);

        Assert.Equal("uid-cheap", await h.SyncAsync(Observed(memoryFree: 50 * Mi), pods, T0));
        Assert.Equal(["important", "cheap"], h.UsageAskedFor.Single().Select(p => p.Metadata!.Name)); // not the critical or the finished one
        Assert.Equal(["uid-cheap"], h.Signalled);
        Assert.Equal("The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. " +
                     "Container app was using 300Mi, request is 0, has larger consumption of memory. ", h.Evictions.MessageFor("uid-cheap"));
        var e = Assert.Single(h.Events.Take());
        Assert.Equal(("Warning", "EvictionThresholdMet", "Attempting to reclaim memory", "Node", "n1"), (e.Type, e.Reason, e.Message, e.Involved.Kind, e.Involved.Name));

        // The evicted pod has not stopped yet: no second eviction.
        Assert.Null(await h.SyncAsync(Observed(memoryFree: 50 * Mi), pods, T0 + TimeSpan.FromSeconds(10)));
        // Its worker failed it (and forgot it): the next one goes.
        h.Evictions.Forget("uid-cheap");
        cheap.Status!.Phase = "Failed";
        Assert.Equal("uid-important", await h.SyncAsync(Observed(memoryFree: 50 * Mi), pods, T0 + TimeSpan.FromSeconds(20)));
        // Only the critical pod is left: it is never evicted.
        h.Evictions.Forget("uid-important");
        important.Status!.Phase = "Failed";
        Assert.Null(await h.SyncAsync(Observed(memoryFree: 50 * Mi), pods, T0 + TimeSpan.FromSeconds(30)));
        Assert.Equal(["uid-cheap", "uid-important"], h.Signalled);
    }

    [Fact]
    public async Task A_soft_threshold_sets_its_condition_at_once_and_evicts_with_the_max_pod_grace_once_met_for_its_grace_period()
    {
        var evictions = new Evictions();
        var soft = EvictionThreshold.ParseSoft("memory.available<500Mi", "memory.available=1m");
        var evictor = new NodePressureEvictor([.. EvictionThreshold.Parse("memory.available<100Mi"), .. soft], TimeSpan.FromMinutes(5), evictions,
            _ => { }, "n1", new TestLogger<NodePressureEvictor>(), maxPodGraceSeconds: 30);
        var pod = P("p");
        Task<IReadOnlyDictionary<string, PodUsage>> Usage(IReadOnlyList<Pod> _) =>
            Task.FromResult<IReadOnlyDictionary<string, PodUsage>>(new Dictionary<string, PodUsage>());
        var low = Observed(memoryFree: 400 * Mi);

        Assert.Null(await evictor.SynchronizeAsync(low, [pod], Usage, T0));
        Assert.Equal(["MemoryPressure"], evictor.Conditions);
        Assert.Equal(new AdmissionRejection("Evicted", "The node had condition: [MemoryPressure]. "), evictor.Admit(P("new")));
        Assert.Null(await evictor.SynchronizeAsync(low, [pod], Usage, T0.AddSeconds(50)));

        // Recovered for a pass: the grace period starts again.
        Assert.Null(await evictor.SynchronizeAsync(Observed(), [pod], Usage, T0.AddSeconds(55)));
        Assert.Null(await evictor.SynchronizeAsync(low, [pod], Usage, T0.AddSeconds(60)));
        Assert.Null(await evictor.SynchronizeAsync(low, [pod], Usage, T0.AddSeconds(110)));
        Assert.Equal("uid-p", await evictor.SynchronizeAsync(low, [pod], Usage, T0.AddSeconds(120)));
        Assert.Equal(30, evictions.GraceFor("uid-p"));
        Assert.StartsWith("The node was low on resource: memory. Threshold quantity: 500Mi, available: 400Mi. ", evictions.MessageFor("uid-p"));

        // A hard threshold evicts at once, with no grace of its own.
        evictions.Forget("uid-p");
        var other = P("q");
        Assert.Equal("uid-q", await evictor.SynchronizeAsync(Observed(memoryFree: 50 * Mi), [other], Usage, T0.AddSeconds(130)));
        Assert.Null(evictions.GraceFor("uid-q"));
    }

    [Fact]
    public async Task Memory_is_reclaimed_before_disk_and_a_percentage_threshold_prints_as_the_amount_it_is()
    {
        var h = new Harness("nodefs.available<10%,memory.available<100Mi");
        var pod = P("p");
        h.Usage["uid-p"] = new PodUsage(new Dictionary<string, long> { ["app"] = 2 * Mi }, new Dictionary<string, long> { ["app"] = 4096 });
        await h.SyncAsync(Observed(memoryFree: 10 * Mi, diskFree: 20), [pod], T0);
        Assert.StartsWith("The node was low on resource: memory. ", h.Evictions.MessageFor("uid-p"));

        var disk = new Harness("nodefs.available<10%");
        disk.Usage["uid-p"] = h.Usage["uid-p"];
        await disk.SyncAsync(new Dictionary<string, SignalObservation> { ["nodefs.available"] = new(3 * Mi, 100 * Mi) }, [pod], T0);
        Assert.Equal("The node was low on resource: ephemeral-storage. Threshold quantity: 10Mi, available: 3Mi. " +
                     "Container app was using 4Ki, request is 0, has larger consumption of ephemeral-storage. ", disk.Evictions.MessageFor("uid-p"));
    }

    [Fact]
    public void Pod_usage_joins_the_runtimes_stats_by_the_kubelets_labels()
    {
        static Skiff.Agent.Cri.V1.ContainerStats S(string uid, string name, ulong? ws, ulong? layer, ulong inodes = 3)
        {
            var s = new Skiff.Agent.Cri.V1.ContainerStats { Attributes = new Skiff.Agent.Cri.V1.ContainerAttributes { Id = name + uid } };
            s.Attributes.Labels[PodNaming.PodUidLabel] = uid;
            s.Attributes.Labels[PodNaming.ContainerNameLabel] = name;
            if (ws is { } w) s.Memory = new Skiff.Agent.Cri.V1.MemoryUsage { WorkingSetBytes = new Skiff.Agent.Cri.V1.UInt64Value { Value = w } };
            if (layer is { } l)
                s.WritableLayer = new Skiff.Agent.Cri.V1.FilesystemUsage { UsedBytes = new Skiff.Agent.Cri.V1.UInt64Value { Value = l }, InodesUsed = new Skiff.Agent.Cri.V1.UInt64Value { Value = inodes } };
            return s;
        }
        var joined = PodUsageReader.Join([S("u1", "app", 100, 10), S("u1", "app", null, 5), S("u1", "side", 7, null), S("u2", "app", 1, 1),
            new Skiff.Agent.Cri.V1.ContainerStats { Attributes = new Skiff.Agent.Cri.V1.ContainerAttributes { Id = "unlabelled" } }]);
        Assert.Equal(2, joined.Count);
        Assert.Equal(new Dictionary<string, long> { ["app"] = 100, ["side"] = 7 }, joined["u1"].Memory);
        Assert.Equal(new Dictionary<string, long> { ["app"] = 15 }, joined["u1"].Disk); // the exited instance's layer still takes disk
        Assert.Equal(6, joined["u1"].Inodes);

        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Combine("a/b"));
        File.WriteAllText(dir.Combine("a/b/f"), "x");
        File.WriteAllText(dir.Combine("g"), "y");
        Assert.Equal((2, 5), EmptyDirLimitMonitor.Measure(dir.Path)); // 2 bytes; the dir, a, a/b, a/b/f, g
        Assert.Null(EmptyDirLimitMonitor.Measure(dir.Combine("missing")));
    }

    [Fact]
    public void Inode_pressure_ranks_by_the_inodes_pods_hold_after_priority()
    {
        var usage = new Dictionary<string, PodUsage>
        {
            ["uid-few"] = PodUsage.None with { Inodes = 10 },
            ["uid-many"] = PodUsage.None with { Inodes = 5000 },
            ["uid-none"] = PodUsage.None,
            ["uid-important"] = PodUsage.None with { Inodes = 90000 },
        };
        var ranked = NodePressureEvictor.Rank("nodefs.inodesFree", [P("few"), P("none"), P("many"), P("important", priority: 1000)], uid => usage[uid]);
        Assert.Equal(["many", "few", "important", "none"], ranked.Select(p => p.Metadata!.Name));
    }

    // ---- minimum reclaim ----

    [Fact]
    public void Minimum_reclaims_attach_to_their_signals_thresholds_with_upstreams_checks()
    {
        var t = EvictionThreshold.WithMinimumReclaim(EvictionThreshold.Parse("memory.available<100Mi,nodefs.available<10%,imagefs.available<15%"),
            "memory.available=0Mi,nodefs.available=500Mi,imagefs.available=2%");
        Assert.Equal((0L, (double?)null), (t[0].MinReclaimFor(1L << 40), t[0].MinReclaimPercentage));
        Assert.Equal(500 * Mi, t[1].MinReclaimFor(1L << 40));
        Assert.Equal(20, t[2].MinReclaimFor(1000));
        Assert.True(t[1].IsMet(100 * Mi, 1000 * Mi, enforceMinReclaim: true));  // 100Mi threshold + 500Mi: 600Mi to be resolved
        Assert.False(t[1].IsMet(100 * Mi, 1000 * Mi));
        Assert.False(t[1].IsMet(600 * Mi, 1000 * Mi, enforceMinReclaim: true));
        Assert.Equal(0, EvictionThreshold.Defaults[0].MinReclaimFor(1000));

        foreach (var (expression, message) in new[]
        {
            ("memory.available", "invalid eviction minimum reclaim syntax: memory.available, expected <signal>=<value>"),
            ("cpu.available=1", "unsupported eviction signal cpu.available"),
            ("nodefs.available=0%", "eviction percentage minimum reclaim nodefs.available must be positive: 0%"),
            ("memory.available=-1Mi", "negative eviction minimum reclaim specified for memory.available"),
        })
            Assert.Equal(message, Assert.Throws<FormatException>(() => EvictionThreshold.WithMinimumReclaim(t, expression)).Message);
    }

    [Fact]
    public async Task A_threshold_with_a_minimum_reclaim_stays_met_until_that_much_more_is_available()
    {
        var evictions = new Evictions();
        var evictor = new NodePressureEvictor(EvictionThreshold.WithMinimumReclaim(EvictionThreshold.Parse("memory.available<100Mi"), "memory.available=50Mi"),
            TimeSpan.FromSeconds(1), evictions, _ => { }, "n1", new TestLogger<NodePressureEvictor>());
        var usage = new Dictionary<string, PodUsage> { ["uid-a"] = PodUsage.None, ["uid-b"] = PodUsage.None, ["uid-c"] = PodUsage.None };
        Task<IReadOnlyDictionary<string, PodUsage>> Usage(IReadOnlyList<Pod> _) => Task.FromResult<IReadOnlyDictionary<string, PodUsage>>(usage);
        IReadOnlyDictionary<string, SignalObservation> Free(long mi) => new Dictionary<string, SignalObservation> { ["memory.available"] = new(mi * Mi, 2000 * Mi) };
        var (a, b, c) = (P("a", priority: 1), P("b", priority: 2), P("c", priority: 3));

        // Met: the lowest-priority pod goes.
        Assert.Equal("uid-a", await evictor.SynchronizeAsync(Free(90), [a, b, c], Usage, T0));
        // Over the threshold but not over threshold + minimum reclaim: still met, so (once a is gone) the next pod goes.
        Assert.Equal("uid-b", await evictor.SynchronizeAsync(Free(120), [b, c], Usage, T0.AddSeconds(10)));
        Assert.Contains("MemoryPressure", evictor.Conditions);
        // 150Mi free: resolved; nothing more is evicted and, with a 1 s transition period, the condition is gone.
        Assert.Null(await evictor.SynchronizeAsync(Free(150), [c], Usage, T0.AddSeconds(20)));
        Assert.Empty(evictor.Conditions);
        // Resolved means a fresh start: 120Mi free is over the plain threshold, so not met.
        Assert.Null(await evictor.SynchronizeAsync(Free(120), [c], Usage, T0.AddSeconds(30)));
        Assert.Empty(evictor.Conditions);
    }

    [Fact]
    public async Task Under_disk_pressure_the_reclaim_is_enough_only_when_it_frees_the_minimum_reclaim_too()
    {
        var reclaimer = new CountingReclaimer();
        var evictions = new Evictions();
        var evictor = new NodePressureEvictor(EvictionThreshold.WithMinimumReclaim(EvictionThreshold.Parse("nodefs.available<10%"), "nodefs.available=5%"),
            TimeSpan.FromMinutes(5), evictions, _ => { }, "n1", new TestLogger<NodePressureEvictor>(), null, reclaimer);
        var usage = new Dictionary<string, PodUsage> { ["uid-p"] = PodUsage.None };
        Task<IReadOnlyDictionary<string, PodUsage>> Usage(IReadOnlyList<Pod> _) => Task.FromResult<IReadOnlyDictionary<string, PodUsage>>(usage);
        IReadOnlyDictionary<string, SignalObservation> Disk(long free) => new Dictionary<string, SignalObservation> { ["nodefs.available"] = new(free, 1000) };

        // The reclaim brought 120 of 1000 free: over 10 %, under 10 % + 5 %: a pod still goes.
        Assert.Equal("uid-p", await evictor.SynchronizeAsync(Disk(50), [P("p")], Usage, T0, () => Task.FromResult(Disk(120))));
        Assert.Equal(1, reclaimer.Calls);
    }

    // ---- node-level reclaim ----

    private sealed class CountingReclaimer : INodeReclaimer
    {
        public int Calls { get; private set; }
        public Task<NodeReclaimResult> ReclaimAsync(CancellationToken ct)
        {
            Calls++;
            return Task.FromResult(new NodeReclaimResult(1, 1, 100));
        }
    }

    [Fact]
    public async Task Under_disk_pressure_the_node_reclaims_first_and_evicts_only_if_that_was_not_enough()
    {
        var reclaimer = new CountingReclaimer();
        var evictions = new Evictions();
        var evictor = new NodePressureEvictor(EvictionThreshold.Parse("memory.available<100Mi,nodefs.available<10%"), TimeSpan.FromMinutes(5), evictions,
            _ => { }, "n1", new TestLogger<NodePressureEvictor>(), null, reclaimer);
        var pod = P("p");
        var usage = new Dictionary<string, PodUsage> { ["uid-p"] = PodUsage.None };
        Task<IReadOnlyDictionary<string, PodUsage>> Usage(IReadOnlyList<Pod> _) => Task.FromResult<IReadOnlyDictionary<string, PodUsage>>(usage);
        IReadOnlyDictionary<string, SignalObservation> Disk(long free) => new Dictionary<string, SignalObservation> { ["nodefs.available"] = new(free, 1000) };

        // Reclaim was enough: no eviction, and the condition still holds (it was met this pass).
        Assert.Null(await evictor.SynchronizeAsync(Disk(50), [pod], Usage, T0, () => Task.FromResult(Disk(500))));
        Assert.Equal(1, reclaimer.Calls);
        Assert.Contains("DiskPressure", evictor.Conditions);

        // Not enough: the pod goes, with the figures observed after the reclaim.
        Assert.Equal("uid-p", await evictor.SynchronizeAsync(Disk(50), [pod], Usage, T0, () => Task.FromResult(Disk(60))));
        Assert.Equal(2, reclaimer.Calls);
        Assert.StartsWith("The node was low on resource: ephemeral-storage. Threshold quantity: 100, available: 60. ", evictions.MessageFor("uid-p"));

        // Memory has nothing of the node's to reclaim.
        evictions.Forget("uid-p");
        var other = P("q");
        usage["uid-q"] = PodUsage.None;
        var memory = new Dictionary<string, SignalObservation> { ["memory.available"] = new(1, 1000 * Mi) };
        Assert.Equal("uid-q", await evictor.SynchronizeAsync(memory, [other], Usage, T0, () => throw new InvalidOperationException("not asked")));
        Assert.Equal(2, reclaimer.Calls);
    }

    private static Skiff.Agent.Cri.V1.Container Ctr(string id, string uid, string name, uint attempt, Skiff.Agent.Cri.V1.ContainerState state, string image)
    {
        var c = new Skiff.Agent.Cri.V1.Container
        {
            Id = id, Metadata = new Skiff.Agent.Cri.V1.ContainerMetadata { Name = name, Attempt = attempt }, State = state, CreatedAt = attempt,
            Image = new Skiff.Agent.Cri.V1.ImageSpec { Image = image }, ImageRef = image,
        };
        c.Labels[PodNaming.PodUidLabel] = uid;
        c.Labels[PodNaming.ContainerNameLabel] = name;
        return c;
    }

    [Fact]
    public void Container_reclaim_keeps_the_newest_instance_of_each_container_and_image_reclaim_keeps_used_and_pinned_images()
    {
        var exited = Skiff.Agent.Cri.V1.ContainerState.ContainerExited;
        var running = Skiff.Agent.Cri.V1.ContainerState.ContainerRunning;
        var containers = new[]
        {
            Ctr("a0", "u1", "app", 0, exited, "sha256:app"), Ctr("a1", "u1", "app", 1, exited, "sha256:app"), Ctr("a2", "u1", "app", 2, running, "sha256:app"),
            Ctr("s0", "u1", "side", 0, exited, "sha256:side"),   // the newest (only) instance: kept for logs --previous
            Ctr("b0", "u2", "app", 0, exited, "sha256:old"), Ctr("b1", "u2", "app", 1, exited, "sha256:old"),
        };
        Assert.Equal(["a0", "a1", "b0"], NodeReclaimer.DeadContainersToRemove(containers).Select(c => c.Id).Order());

        static Skiff.Agent.Cri.V1.Image I(string id, string tag, bool pinned = false)
        {
            var i = new Skiff.Agent.Cri.V1.Image { Id = id, Pinned = pinned, Size = 10 };
            i.RepoTags.Add(tag);
            return i;
        }
        var images = new[]
        {
            I("sha256:app", "docker.io/library/app:1"), I("sha256:old", "docker.io/library/old:1"), I("sha256:stale", "docker.io/library/stale:1"),
            I("sha256:pause", "localhost/skiff/pause:1.0"), I("sha256:airgap", "docker.io/library/busybox:latest"),
            I("sha256:runtime-pinned", "registry.k8s.io/pause:3.9", pinned: true),
        };
        var left = containers.Where(c => c.Id is "a2" or "s0" or "b1");
        var records = new Skiff.Agent.Kubelet.ImageGc.ImageRecords();
        var inUse = records.Observe(images, left, new HashSet<string> { "localhost/skiff/pause:1.0", "docker.io/library/busybox:latest" }, T0);
        Assert.Equal(["sha256:app", "sha256:old"], inUse.Order()); // sha256:old is still used by b1 (exited), app by a2
        Assert.Equal(["sha256:stale"], records.EvictionOrder(inUse).Select(i => i.Id));
    }

    // ---- the node's status ----

    [Fact]
    public void The_node_status_reports_the_evictors_conditions_and_allocatable_less_the_hard_thresholds()
    {
        var options = new KubeletOptions { NodeName = "n1", EvictionHard = EvictionThreshold.Parse("memory.available<1Gi,nodefs.available<20%") };
        var machine = new MachineInfo { Cpus = 2, MemoryBytes = 8L << 30, EphemeralStorageBytes = 1000L << 20 };
        var reporter = new NodeStatusReporter(null!, null!, options, machine, "10.0.0.5", new TestLogger<NodeStatusReporter>());
        var status = reporter.Compute(new NodeReadings { Pressure = new HashSet<string> { "DiskPressure" } }, null, T0);

        Assert.Equal("7340032Ki", status.Allocatable!["memory"].Value); // 8Gi − 1Gi
        Assert.Equal((800L << 20).ToString(), status.Allocatable["ephemeral-storage"].Value);
        var c = status.Conditions!.ToDictionary(x => x.Type!);
        Assert.Equal(("True", "KubeletHasDiskPressure"), (c["DiskPressure"].Status, c["DiskPressure"].Reason));
        Assert.Equal(("False", "KubeletHasSufficientMemory"), (c["MemoryPressure"].Status, c["MemoryPressure"].Reason));
        Assert.Equal(("False", "KubeletHasSufficientPID"), (c["PIDPressure"].Status, c["PIDPressure"].Reason));

        var none = new NodeStatusReporter(null!, null!, options with { EvictionHard = [] }, machine, "10.0.0.5", new TestLogger<NodeStatusReporter>())
            .Compute(new NodeReadings(), null, T0);
        Assert.Equal("8388608Ki", none.Allocatable!["memory"].Value);
    }

    // ---- the pod worker ----

    [Fact]
    public async Task A_pod_the_node_rejects_is_Failed_with_reason_Evicted_and_nothing_of_it_is_created()
    {
        var rejection = new AdmissionRejection("Evicted", "The node had condition: [DiskPressure]. ");
        await using var h = await PodSyncerEventsTests.Harness.StartAsync(output, admit: _ => rejection);
        var pod = PodOf([C("app")]);
        await h.SyncAsync(pod);

        var status = h.Statuses.Last!;
        Assert.Equal(("Failed", "Evicted", "Pod was rejected: The node had condition: [DiskPressure]. ", "BestEffort"),
            (status.Phase, status.Reason, status.Message, status.QosClass));
        Assert.Null(status.StartTime);
        Assert.Empty(h.Cri.CgroupParents); // no sandbox was asked for
        var e = Assert.Single(h.Events.Take());
        Assert.Equal(("Warning", "Evicted", rejection.Message), (e.Type, e.Reason, e.Message));

        pod.Status = status;
        await h.SyncAsync(pod); // a Failed pod stays as it is
        Assert.Empty(h.Cri.CgroupParents);
    }

    [Fact]
    public async Task A_pod_that_already_started_is_not_admitted_again()
    {
        var asked = 0;
        await using var h = await PodSyncerEventsTests.Harness.StartAsync(output, admit: _ => { asked++; return null; });
        var pod = PodOf([C("app")]);
        await h.SyncAsync(pod);
        Assert.Equal(1, asked);
        Assert.Equal(1, h.Cri.Running("app"));
        pod.Status = h.Statuses.Last;
        await h.SyncAsync(pod);
        Assert.Equal(1, asked);
    }
}
