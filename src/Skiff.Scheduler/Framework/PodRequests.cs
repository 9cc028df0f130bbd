using Skiff.Api.Models.Core.V1;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// What a pod asks of a node, as upstream's resource helper computes it: the sum of the app
/// containers and sidecars (restartable init containers), or the largest init container step if that
/// is more (init containers run one at a time, each beside the sidecars started before it), plus the
/// pod overhead; pod-level requests, when set, win for cpu and memory. The "non-zero" variant counts a
/// container without a cpu or memory request as 100m / 200Mi, so that spreading still sees it.
/// Stateless; thread-safe.
/// </summary>
public static class PodRequests
{
    public const long DefaultMilliCpuRequest = 100;
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    public static Resource Compute(PodSpec? spec, bool nonZero = false)
    {
        var total = new Resource();
        if (spec is null) return total;
        foreach (var c in spec.Containers ?? []) total.Add(ContainerRequests(c, nonZero));

        var sidecars = new Resource();
        var initMax = new Resource();
        foreach (var c in spec.InitContainers ?? [])
        {
            var req = ContainerRequests(c, nonZero);
            Resource step;
            if (c.RestartPolicy == "Always")
            {
                sidecars.Add(req);
                step = sidecars.Clone();
            }
            else
            {
                step = req.Clone();
                step.Add(sidecars);
            }
            initMax.SetMax(step);
        }
        total.Add(sidecars);
        total.SetMax(initMax);

        if (spec.Resources?.Requests is { Count: > 0 } podLevel)
        {
            var pl = Resource.From(podLevel);
            if (podLevel.ContainsKey(Resource.Cpu)) total.MilliCpu = pl.MilliCpu;
            if (podLevel.ContainsKey(Resource.MemoryName)) total.Memory = pl.Memory;
        }
        if (spec.Overhead is { Count: > 0 } overhead) total.Add(overhead);
        total.AllowedPods = 0;
        return total;
    }

    private static Resource ContainerRequests(Container c, bool nonZero)
    {
        var requests = c.Resources?.Requests;
        var r = Resource.From(requests);
        if (nonZero)
        {
            if (requests is null || !requests.ContainsKey(Resource.Cpu)) r.MilliCpu = DefaultMilliCpuRequest;
            if (requests is null || !requests.ContainsKey(Resource.MemoryName)) r.Memory = DefaultMemoryRequest;
        }
        return r;
    }
}
