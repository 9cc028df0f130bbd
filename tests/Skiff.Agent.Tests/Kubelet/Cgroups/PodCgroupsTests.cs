using Skiff.Agent.Kubelet.Cgroups;
using Skiff.Agent.Tests.Support;
using Skiff.Api.Models;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;

namespace Skiff.Agent.Tests.Kubelet.Cgroups;

public sealed class PodCgroupsTests
{
    private const string Uid = "6f1c9a52-0b7e-4a8e-9d55-2c0f3d1e7a10";

    private static Container C(string name, string? cpuReq = null, string? memReq = null, string? cpuLim = null, string? memLim = null, string? restart = null)
    {
        Dictionary<string, Quantity>? Of(string? cpu, string? mem)
        {
            var d = new Dictionary<string, Quantity>();
            if (cpu is not null) d["cpu"] = new Quantity(cpu);
            if (mem is not null) d["memory"] = new Quantity(mem);
            return d.Count == 0 ? null : d;
        }
        return new Container { Name = name, Image = "busybox", RestartPolicy = restart, Resources = new ResourceRequirements { Requests = Of(cpuReq, memReq), Limits = Of(cpuLim, memLim) } };
    }

    private static PodSpec Spec(Container[] containers, Container[]? init = null) => new() { Containers = [.. containers], InitContainers = init is null ? null : [.. init] };

    private static Pod PodOf(PodSpec spec, string uid = Uid) => new() { Metadata = new ObjectMeta { Name = "web", Namespace = "shop", Uid = uid }, Spec = spec };

    [Fact]
    public void A_best_effort_pod_gets_the_minimum_shares_and_no_limits()
    {
        Assert.Equal(new PodResourceConfig("BestEffort", 2, null, null), PodResourceConfig.For(Spec([C("a"), C("b")])));
    }

    [Fact]
    public void A_burstable_pod_gets_shares_from_its_requests_and_a_limit_only_when_every_container_declares_one()
    {
        // 250m + 500m requested; memory limits on both, a CPU limit on one only: no quota.
        var spec = Spec([C("a", cpuReq: "250m", memLim: "64Mi", cpuLim: "1"), C("b", cpuReq: "500m", memLim: "32Mi")]);
        Assert.Equal(new PodResourceConfig("Burstable", 768, null, 96L << 20), PodResourceConfig.For(spec));

        // No requests at all but a limit: the request defaults to the limit.
        Assert.Equal(new PodResourceConfig("Burstable", 512, 50_000, null), PodResourceConfig.For(Spec([C("a", cpuLim: "500m")])));
    }

    [Fact]
    public void A_guaranteed_pod_gets_shares_quota_and_memory_from_the_sum_of_its_containers()
    {
        var spec = Spec([C("a", cpuLim: "500m", memLim: "64Mi"), C("b", cpuLim: "1500m", memLim: "64Mi")]);
        Assert.Equal(new PodResourceConfig("Guaranteed", 2048, 200_000, 128L << 20), PodResourceConfig.For(spec));
    }

    [Fact]
    public void An_init_container_larger_than_the_containers_sets_the_pod_values_and_sidecars_add_to_both()
    {
        // init 2 CPUs / 256Mi alone is more than the container's 500m / 64Mi.
        var spec = Spec([C("app", cpuLim: "500m", memLim: "64Mi")], init: [C("migrate", cpuLim: "2", memLim: "256Mi")]);
        Assert.Equal(new PodResourceConfig("Guaranteed", 2048, 200_000, 256L << 20), PodResourceConfig.For(spec));

        // A sidecar (restartPolicy Always) before it runs beside it and beside the containers.
        spec = Spec([C("app", cpuLim: "500m", memLim: "64Mi")],
            init: [C("proxy", cpuLim: "100m", memLim: "16Mi", restart: "Always"), C("migrate", cpuLim: "200m", memLim: "32Mi")]);
        Assert.Equal(new PodResourceConfig("Guaranteed", 614, 60_000, 80L << 20), PodResourceConfig.For(spec));
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(1024, 39)]
    [InlineData(262_144, 10_000)]
    public void Shares_convert_to_cgroup_v2_weights_as_runc_converts_them(long shares, long weight) =>
        Assert.Equal(weight, PodResourceConfig.CpuWeight(shares));

    [Fact]
    public void A_v1_machine_with_a_v2_mount_is_v1_with_one_hierarchy_per_mount()
    {
        var fs = CgroupFs.FromMountInfo(
        [
            "25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
            "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate",
            "27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd",
            "30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct",
            "31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory",
            "32 25 0:29 /docker/abc /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids",
            "40 24 8:1 / /var/lib/x rw,relatime shared:1 - ext4 /dev/sda1 rw",
        ]);
        Assert.False(fs.IsV2);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", fs.For("cpu")!.MountPoint);
        Assert.Equal(["cpu", "cpuacct"], fs.For("cpuacct")!.Controllers);
        Assert.Equal("/sys/fs/cgroup/memory", fs.For("memory")!.MountPoint);
        Assert.Null(fs.For("pids")); // mounted from a sub-cgroup: its paths are not ours
        Assert.Equal(["/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory"],
            fs.Mounts.Select(m => m.MountPoint));
    }

    [Fact]
    public void A_unified_hierarchy_at_sys_fs_cgroup_is_v2_with_the_controllers_it_offers()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("cgroup.controllers"), "cpuset cpu io memory pids\n");
        var fs = CgroupFs.FromMountInfo([$"26 25 0:23 / {dir.Path} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"], unifiedAt: dir.Path);
        Assert.True(fs.IsV2);
        Assert.Equal(dir.Path, fs.For("memory")!.MountPoint);
        Assert.Single(fs.Mounts);
    }

    [Fact]
    public void On_v1_each_class_and_pod_gets_its_values_and_the_burstable_class_the_sum_of_its_pods_requests()
    {
        using var dir = new TempDir();
        var (fs, cgroups) = V1(dir);
        var guaranteed = PodOf(Spec([C("a", cpuLim: "500m", memLim: "64Mi")]), "g-1");
        var burstable1 = PodOf(Spec([C("a", cpuReq: "250m")]), "b-1");
        var burstable2 = PodOf(Spec([C("a", cpuReq: "1", memLim: "32Mi")]), "b-2");
        var bestEffort = PodOf(Spec([C("a")]), "e-1");

        Assert.Equal("/kubepods/podg-1", cgroups.ParentFor(guaranteed));
        Assert.Equal("/kubepods/burstable/podb-1", cgroups.ParentFor(burstable1));
        Assert.Equal("/kubepods/besteffort/pode-1", cgroups.ParentFor(bestEffort));
        foreach (var p in new[] { guaranteed, burstable1, burstable2, bestEffort }) cgroups.Ensure(p);

        string Cpu(string path, string file) => File.ReadAllText(dir.Combine("cpu", path, file));
        string Mem(string path) => File.ReadAllText(dir.Combine("memory", path, "memory.limit_in_bytes"));
        Assert.Equal("4096", Cpu("kubepods", "cpu.shares")); // 4 allocatable CPUs
        Assert.Equal("2", Cpu("kubepods/besteffort", "cpu.shares"));
        Assert.Equal("1280", Cpu("kubepods/burstable", "cpu.shares")); // 256 + 1024
        Assert.Equal(("512", "50000", "100000"), (Cpu("kubepods/podg-1", "cpu.shares"), Cpu("kubepods/podg-1", "cpu.cfs_quota_us"), Cpu("kubepods/podg-1", "cpu.cfs_period_us")));
        Assert.Equal((64L << 20).ToString(), Mem("kubepods/podg-1"));
        Assert.Equal(("256", "-1", "-1"), (Cpu("kubepods/burstable/podb-1", "cpu.shares"), Cpu("kubepods/burstable/podb-1", "cpu.cfs_quota_us"), Mem("kubepods/burstable/podb-1")));
        Assert.Equal((32L << 20).ToString(), Mem("kubepods/burstable/podb-2"));
        Assert.Equal(("2", "-1"), (Cpu("kubepods/besteffort/pode-1", "cpu.shares"), Mem("kubepods/besteffort/pode-1")));

        // What runc leaves of a container killed with its shim goes with the pod; the class's shares follow.
        Directory.CreateDirectory(dir.Combine("pids", "kubepods", "burstable", "podb-2", "c0ffee"));
        Directory.CreateDirectory(dir.Combine("memory", "kubepods", "burstable", "podb-2", "c0ffee"));
        Assert.True(cgroups.Remove("b-2", out var error), error);
        Assert.False(Directory.Exists(dir.Combine("memory", "kubepods", "burstable", "podb-2")));
        Assert.False(Directory.Exists(dir.Combine("pids", "kubepods", "burstable", "podb-2")));
        Assert.False(Directory.Exists(dir.Combine("cpu", "kubepods", "burstable", "podb-2")));
        Assert.Equal("256", Cpu("kubepods/burstable", "cpu.shares"));
        Assert.True(Directory.Exists(dir.Combine("cpu", "kubepods", "burstable", "podb-1")));
    }

    [Fact]
    public void Remove_says_why_a_cgroup_that_still_holds_a_process_stays()
    {
        using var dir = new TempDir();
        var (_, cgroups) = V1(dir);
        cgroups.Ensure(PodOf(Spec([C("a")])));
        File.WriteAllText(dir.Combine("memory", "kubepods", "besteffort", "pod" + Uid, "cgroup.procs"), "4242\n");

        Assert.False(cgroups.Remove(Uid, out var error));
        Assert.Contains("busy", error);
        Assert.True(Directory.Exists(dir.Combine("memory", "kubepods", "besteffort", "pod" + Uid)));
    }

    [Fact]
    public void A_pod_cgroup_that_still_holds_a_process_stays_and_killall_removes_only_the_uids_it_names()
    {
        using var dir = new TempDir();
        var (fs, cgroups) = V1(dir);
        cgroups.Ensure(PodOf(Spec([C("a")]), "mine"));
        cgroups.Ensure(PodOf(Spec([C("a")]), "busy"));
        cgroups.Ensure(PodOf(Spec([C("a")]), "theirs")); // another agent's pod on the same machine
        File.WriteAllText(dir.Combine("memory", "kubepods", "besteffort", "podbusy", "cgroup.procs"), "4242\n");

        var left = PodCgroups.RemoveAll(fs, ["mine", "busy"], new TestLogger<PodCgroups>());

        Assert.Equal(["busy"], left);
        Assert.False(Directory.Exists(dir.Combine("cpu", "kubepods", "besteffort", "podmine")));
        Assert.True(Directory.Exists(dir.Combine("memory", "kubepods", "besteffort", "podbusy")));
        Assert.True(Directory.Exists(dir.Combine("cpu", "kubepods", "besteffort", "podtheirs")));
        Assert.True(Directory.Exists(dir.Combine("cpu", "kubepods"))); // still has pods

        File.Delete(dir.Combine("memory", "kubepods", "besteffort", "podbusy", "cgroup.procs"));
        Assert.Empty(PodCgroups.RemoveAll(fs, ["busy", "theirs"], new TestLogger<PodCgroups>()));
        Assert.False(Directory.Exists(dir.Combine("cpu", "kubepods")));
        Assert.False(Directory.Exists(dir.Combine("memory", "kubepods")));
    }

    [Fact]
    public void Killall_with_no_pods_left_removes_the_empty_classes_and_node_cgroup()
    {
        using var dir = new TempDir();
        var (fs, cgroups) = V1(dir);
        cgroups.Ensure(PodOf(Spec([C("a")]), "gone"));
        Assert.True(cgroups.Remove("gone", out _)); // the pod went with its deletion; the classes stayed
        Assert.True(Directory.Exists(dir.Combine("cpu", "kubepods", "besteffort")));

        Assert.Empty(PodCgroups.RemoveAll(fs, [], new TestLogger<PodCgroups>()));
        Assert.False(Directory.Exists(dir.Combine("cpu", "kubepods")));
        Assert.False(Directory.Exists(dir.Combine("memory", "kubepods")));
    }

    [Fact]
    public void On_v2_the_controllers_are_enabled_down_the_path_and_the_values_are_v2_files()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("cgroup.controllers"), "cpuset cpu io memory pids\n");
        var fs = new CgroupFs([new CgroupMount(dir.Path, true, ["cpuset", "cpu", "io", "memory", "pids"])], isV2: true, FakeRmdir);
        var cgroups = new PodCgroups(fs, 2, new TestLogger<PodCgroups>());
        cgroups.Ensure(PodOf(Spec([C("a", cpuLim: "250m", memLim: "16Mi")]), "g-1"));

        string Read(params string[] p) => File.ReadAllText(dir.Combine(p));
        Assert.Equal("+cpu +memory", Read("cgroup.subtree_control"));
        Assert.Equal("+cpu +memory", Read("kubepods", "cgroup.subtree_control"));
        Assert.Equal("79", Read("kubepods", "cpu.weight")); // 2048 shares
        Assert.Equal("10", Read("kubepods", "podg-1", "cpu.weight")); // 256 shares
        Assert.Equal("25000 100000", Read("kubepods", "podg-1", "cpu.max"));
        Assert.Equal((16L << 20).ToString(), Read("kubepods", "podg-1", "memory.max"));
        Assert.Equal("max 100000", Read("kubepods", "besteffort", "cpu.max"));
    }

    [Fact]
    public void Ensure_again_rewrites_a_pod_cgroup_someone_removed()
    {
        using var dir = new TempDir();
        var (_, cgroups) = V1(dir);
        var pod = PodOf(Spec([C("a", memLim: "8Mi")]));
        cgroups.Ensure(pod);
        Directory.Delete(dir.Combine("memory", "kubepods"), recursive: true);
        cgroups.Ensure(pod);
        Assert.Equal((8L << 20).ToString(), File.ReadAllText(dir.Combine("memory", "kubepods", "burstable", "pod" + Uid, "memory.limit_in_bytes")));
    }

    /// <summary>A v1 tree in plain directories: cpu, memory and pids hierarchies, with <see cref="FakeRmdir"/>.</summary>
    private static (CgroupFs Fs, PodCgroups Cgroups) V1(TempDir dir)
    {
        var mounts = new[] { new CgroupMount(dir.Combine("cpu"), false, ["cpu"]), new CgroupMount(dir.Combine("memory"), false, ["memory"]), new CgroupMount(dir.Combine("pids"), false, ["pids"]) };
        foreach (var m in mounts) Directory.CreateDirectory(m.MountPoint);
        var fs = new CgroupFs(mounts, isV2: false, FakeRmdir);
        return (fs, new PodCgroups(fs, 4, new TestLogger<PodCgroups>()));
    }

    /// <summary>rmdir as the kernel does it for a cgroup: refused with children or processes; control files do not count.</summary>
    internal static void FakeRmdir(string dir)
    {
        if (Directory.EnumerateDirectories(dir).Any()) throw new IOException("Device or resource busy (has children)");
        var procs = Path.Combine(dir, "cgroup.procs");
        if (File.Exists(procs) && File.ReadAllText(procs).Trim().Length > 0) throw new IOException("Device or resource busy");
        Directory.Delete(dir, recursive: true);
    }
}
