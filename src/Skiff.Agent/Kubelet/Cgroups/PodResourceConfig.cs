using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet.Cgroups;

/// <summary>
/// The values of one pod's own cgroup, as upstream's ResourceConfigForPod computes them: CPU shares from the pod's
/// CPU request (2, the kernel's minimum, for BestEffort), a CFS quota when every container has a CPU limit, and a
/// memory limit when every container has a memory limit. "The pod's" request or limit is upstream's effective one:
/// the containers' and sidecars' sum, or the largest init container (plus the sidecars started before it) if more.
/// In cgroup v1 units; <see cref="CpuWeight"/> converts the shares for cgroup v2.
/// </summary>
public sealed record PodResourceConfig(string QosClass, long CpuShares, long? CpuQuota, long? MemoryLimit)
{
    public const long CpuPeriod = 100_000;
    public const long MinShares = 2;
    public const long MaxShares = 262_144;
    private const long MinQuota = 1000;

    public static PodResourceConfig For(PodSpec spec)
    {
        var qos = RuntimeConfigBuilder.QosClass(spec);
        if (qos == "BestEffort") return new PodResourceConfig(qos, MinShares, null, null);
        var all = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();
        var cpuRequest = Effective(spec, c => Quantities.Get(c.Resources?.Requests, "cpu") ?? Quantities.Get(c.Resources?.Limits, "cpu") ?? 0);
        var shares = MilliCpuToShares((long)(cpuRequest * 1000m));
        long? quota = null, memory = null;
        if (all.All(c => Quantities.Get(c.Resources?.Limits, "cpu") is > 0))
        {
            var milli = (long)(Effective(spec, c => Quantities.Get(c.Resources?.Limits, "cpu") ?? 0) * 1000m);
            quota = Math.Max(MinQuota, milli * CpuPeriod / 1000);
        }
        if (all.All(c => Quantities.Get(c.Resources?.Limits, "memory") is > 0))
            memory = (long)Effective(spec, c => Quantities.Get(c.Resources?.Limits, "memory") ?? 0);
        return new PodResourceConfig(qos, shares, quota, memory);
    }

    /// <summary>1024 shares per CPU, clamped to what the kernel takes (upstream's MilliCPUToShares).</summary>
    public static long MilliCpuToShares(long milliCpu) =>
        milliCpu <= 0 ? MinShares : Math.Clamp(milliCpu * 1024 / 1000, MinShares, MaxShares);

    /// <summary>cgroup v2's cpu.weight (1–10000) for v1 shares (2–262144), the conversion runc and the kubelet use.</summary>
    public static long CpuWeight(long shares) => shares <= 0 ? 0 : 1 + (Math.Clamp(shares, MinShares, MaxShares) - 2) * 9999 / 262_142;

    /// <summary>The pod's request for <paramref name="resource"/> (upstream's PodRequests; what eviction ranks usage against).</summary>
    public static decimal Requests(PodSpec spec, string resource) => Effective(spec, c => Quantities.Get(c.Resources?.Requests, resource) ?? 0);

    /// <summary>
    /// Upstream's PodRequests/PodLimits for one resource: containers plus sidecars (init containers with restartPolicy
    /// Always, which keep running), or, if larger, an init container with the sidecars started before it.
    /// </summary>
    private static decimal Effective(PodSpec spec, Func<Container, decimal> value)
    {
        var sum = (spec.Containers ?? []).Sum(value);
        decimal sidecars = 0, init = 0;
        foreach (var c in spec.InitContainers ?? [])
        {
            if (PodStatusBuilder.IsSidecar(c))
            {
                sidecars += value(c);
                sum += value(c);
                init = Math.Max(init, sidecars);
            }
            else init = Math.Max(init, value(c) + sidecars);
        }
        return Math.Max(sum, init);
    }
}
