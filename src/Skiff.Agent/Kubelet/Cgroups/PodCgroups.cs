using Microsoft.Extensions.Logging;
using Skiff.Agent.Containerd;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet.Cgroups;

/// <summary>Each pod's own cgroup, the parent of its sandbox's and containers' cgroups.</summary>
public interface IPodCgroups
{
    /// <summary>The pod's cgroup path for the runtime (LinuxPodSandboxConfig.cgroup_parent); null when pods have none.</summary>
    string? ParentFor(Pod pod);

    /// <summary>Creates the pod's cgroup (and the node's and QoS class's above it) with the pod's values. Idempotent.</summary>
    void Ensure(Pod pod);

    /// <summary>
    /// Removes the pod's cgroup once its containers are gone. Best effort: a cgroup that still holds a process stays,
    /// and then this returns false with the kernel's reason.
    /// </summary>
    bool Remove(string uid, out string? error);
}

/// <summary>Pods without cgroups of their own (the systemd driver, or no usable cgroup hierarchy).</summary>
public sealed class NoPodCgroups : IPodCgroups
{
    public static readonly NoPodCgroups Instance = new();
    public string? ParentFor(Pod pod) => null;
    public void Ensure(Pod pod) { }
    public bool Remove(string uid, out string? error)
    {
        error = null;
        return true;
    }
}

/// <summary>
/// Upstream's cgroupsPerQOS layout for the cgroupfs driver: <c>/kubepods</c> for the node's pods (CPU shares for the
/// allocatable CPUs), <c>/kubepods/burstable</c> (shares = the sum of its pods' CPU requests) and
/// <c>/kubepods/besteffort</c> (2 shares), and one <c>pod&lt;uid&gt;</c> cgroup per pod under its class (Guaranteed
/// pods directly under /kubepods) with <see cref="PodResourceConfig"/>'s values. The runtime puts the sandbox and
/// containers below it, so a pod's limits hold for all its containers together and its usage can be read in one
/// place. Cgroups are written only for pods this agent runs and removed only by their UID, so several agents on one
/// machine share the tree without touching each other's pods. Thread-safe.
/// </summary>
public sealed class PodCgroups(CgroupFs fs, decimal allocatableCpus, ILogger<PodCgroups> log) : IPodCgroups
{
    public const string Root = "/kubepods";
    public const string Burstable = Root + "/burstable";
    public const string BestEffort = Root + "/besteffort";
    private static readonly string[] Controllers = ["cpu", "memory"];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PodResourceConfig> _applied = [];

    /// <summary>Pod cgroups on this machine with the cgroupfs driver, or none (with the reason logged) when the hierarchies lack cpu or memory.</summary>
    public static IPodCgroups Create(CgroupDriver driver, decimal allocatableCpus, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger<PodCgroups>();
        if (driver == CgroupDriver.Systemd)
        {
            log.LogInformation("Pod cgroups are left to containerd under the systemd cgroup driver: pods get no cgroup of their own");
            return NoPodCgroups.Instance;
        }
        CgroupFs fs;
        try { fs = CgroupFs.Detect(); }
        catch (IOException e)
        {
            log.LogWarning("Cannot read the cgroup mounts ({Error}): pods get no cgroup of their own", e.Message);
            return NoPodCgroups.Instance;
        }
        if (fs.For("cpu") is null || fs.For("memory") is null)
        {
            log.LogWarning("No cgroup hierarchy with the cpu and memory controllers is mounted: pods get no cgroup of their own");
            return NoPodCgroups.Instance;
        }
        return new PodCgroups(fs, allocatableCpus, log);
    }

    public static string PathFor(string uid, string qosClass) => qosClass switch
    {
        "Guaranteed" => $"{Root}/pod{uid}",
        "Burstable" => $"{Burstable}/pod{uid}",
        _ => $"{BestEffort}/pod{uid}",
    };

    public string? ParentFor(Pod pod) => PathFor(Uid(pod), RuntimeConfigBuilder.QosClass(pod.Spec ?? new PodSpec()));

    public void Ensure(Pod pod)
    {
        var uid = Uid(pod);
        var config = PodResourceConfig.For(pod.Spec ?? new PodSpec());
        lock (_lock)
        {
            if (_applied.TryGetValue(uid, out var done) && done == config && Exists(PathFor(uid, config.QosClass))) return;
            try
            {
                SetCpu(Root, PodResourceConfig.MilliCpuToShares((long)(allocatableCpus * 1000m)), null);
                SetCpu(BestEffort, PodResourceConfig.MinShares, null);
                _applied[uid] = config;
                SetCpu(Burstable, BurstableShares(), null);
                var path = PathFor(uid, config.QosClass);
                SetCpu(path, config.CpuShares, config.CpuQuota);
                SetMemory(path, config.MemoryLimit);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _applied.Remove(uid);
                throw new IOException($"cannot set up the cgroup of pod {uid}: {e.Message}", e);
            }
        }
    }

    public bool Remove(string uid, out string? error)
    {
        lock (_lock)
        {
            _applied.Remove(uid);
            var removed = RemovePod(fs, uid, out error);
            try { SetCpu(Burstable, BurstableShares(), null, create: false); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { log.LogDebug("Burstable shares: {Error}", e.Message); }
            return removed;
        }
    }

    /// <summary>
    /// What <c>skiff killall</c> does after the pods are gone: the pods' cgroups (by UID), then the class and node
    /// cgroups if no other agent's pods are in them (the kernel refuses to remove a cgroup that has children).
    /// Returns the UIDs whose cgroup still holds processes.
    /// </summary>
    public static IReadOnlyList<string> RemoveAll(CgroupFs fs, IEnumerable<string> uids, ILogger log)
    {
        var left = new List<string>();
        foreach (var uid in uids)
            if (!RemovePod(fs, uid, out var error))
            {
                log.LogDebug("The cgroup of pod {Uid} stays: {Error}", uid, error);
                left.Add(uid);
            }
        foreach (var path in new[] { Burstable, BestEffort, Root }) fs.RemoveIfEmpty(path);
        return left;
    }

    /// <summary>The pod's cgroup under whichever class it is in (the UID alone does not say which).</summary>
    private static bool RemovePod(CgroupFs fs, string uid, out string? error)
    {
        error = null;
        foreach (var qos in new[] { "Guaranteed", "Burstable", "BestEffort" })
            if (!fs.Remove(PathFor(uid, qos), out var failed)) error = failed;
        return error is null;
    }

    private long BurstableShares() =>
        Math.Max(PodResourceConfig.MinShares, _applied.Values.Where(c => c.QosClass == "Burstable").Sum(c => c.CpuShares));

    private bool Exists(string path) => Controllers.All(c => Directory.Exists(CgroupFs.Dir(fs.For(c)!, path)));

    private void SetCpu(string path, long shares, long? quota, bool create = true)
    {
        var cpu = fs.For("cpu")!;
        if (!create && !Directory.Exists(CgroupFs.Dir(cpu, path))) return;
        fs.Create(cpu, path, Controllers);
        if (cpu.IsV2)
        {
            CgroupFs.Write(cpu, path, "cpu.weight", PodResourceConfig.CpuWeight(shares).ToString(System.Globalization.CultureInfo.InvariantCulture));
            CgroupFs.Write(cpu, path, "cpu.max", quota is { } q ? $"{q} {PodResourceConfig.CpuPeriod}" : $"max {PodResourceConfig.CpuPeriod}");
        }
        else
        {
            CgroupFs.Write(cpu, path, "cpu.shares", Invariant(shares));
            CgroupFs.Write(cpu, path, "cpu.cfs_period_us", Invariant(PodResourceConfig.CpuPeriod));
            CgroupFs.Write(cpu, path, "cpu.cfs_quota_us", Invariant(quota ?? -1));
        }
    }

    private void SetMemory(string path, long? limit)
    {
        var memory = fs.For("memory")!;
        fs.Create(memory, path, Controllers);
        if (memory.IsV2) CgroupFs.Write(memory, path, "memory.max", limit is { } l ? Invariant(l) : "max");
        else CgroupFs.Write(memory, path, "memory.limit_in_bytes", Invariant(limit ?? -1));
    }

    private static string Invariant(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Uid(Pod pod) => pod.Metadata?.Uid ?? throw new ArgumentException("the pod has no UID", nameof(pod));
}
